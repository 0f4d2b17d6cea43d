#include "bpfproc/procfs/proc_cmdline.h"

#include <cstddef>

namespace bpfproc {

std::vector<std::string> parse_cmdline(std::string_view text) {
  std::vector<std::string> argv;
  if (text.empty()) return argv;
  // As process-exporter (procfs's CmdLine): every trailing NUL goes, then NUL separates. A
  // process that rewrote its arguments (setproctitle) often pads them with NULs, or leaves the
  // terminator out; either way its arguments are the same. "\0" alone is one empty argument.
  while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  for (;;) {
    std::size_t separator = text.find('\0');
    argv.emplace_back(text.substr(0, separator));
    if (separator == std::string_view::npos) break;
    text.remove_prefix(separator + 1);
  }
  return argv;
}

std::string join_cmdline(const std::vector<std::string>& argv) {
  std::string joined;
  for (const std::string& argument : argv) {
    if (&argument != &argv.front()) joined += ' ';
    joined += argument;
  }
  return joined;
}

}  // namespace bpfproc
