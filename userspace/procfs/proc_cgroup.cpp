#include "bpfproc/procfs/proc_cgroup.h"

#include <charconv>

namespace bpfproc {

Result<std::vector<CgroupLine>> parse_proc_cgroup_lines(std::string_view text) {
  std::vector<CgroupLine> lines;
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
    lines.push_back({hierarchy, std::string(line.substr(first + 1, second - first - 1)),
                     std::string(line.substr(second + 1))});
  }
  return lines;
}

Result<std::vector<std::string>> parse_proc_cgroup(std::string_view text) {
  Result<std::vector<CgroupLine>> lines = parse_proc_cgroup_lines(text);
  if (!lines) return lines.error();
  std::vector<std::string> paths;
  paths.reserve(lines->size());
  for (CgroupLine& line : *lines) paths.push_back(std::move(line.path));
  return paths;
}

}  // namespace bpfproc
