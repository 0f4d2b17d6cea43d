#include "bpfproc/procfs/proc_cgroup.h"

#include <charconv>

namespace bpfproc {

Result<std::vector<std::string>> parse_proc_cgroup(std::string_view text) {
  std::vector<std::string> paths;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);  // Go's bufio.ScanLines drops it too

    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) return Error{"cgroup line without hierarchy:controllers:path", "cgroup", 0};
    int hierarchy = 0;
    const std::string_view id = line.substr(0, first);
    if (id.empty() || std::from_chars(id.data(), id.data() + id.size(), hierarchy).ptr != id.data() + id.size())
      return Error{"bad cgroup hierarchy ID", "cgroup", 0};
    paths.emplace_back(line.substr(second + 1));
  }
  return paths;
}

}  // namespace bpfproc
