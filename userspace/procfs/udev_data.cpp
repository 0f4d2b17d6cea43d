// The properties of a device's record in udev's database.
#include "bpfproc/procfs/udev_data.h"

namespace bpfproc {

std::map<std::string, std::string> parse_udev_properties(std::string_view text) {
  std::map<std::string, std::string> properties;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.size() < 3 || line.substr(0, 2) != "E:") continue;
    const std::size_t equals = line.find('=', 2);
    if (equals == std::string_view::npos || equals == 2) continue;
    properties.insert_or_assign(std::string(line.substr(2, equals - 2)), std::string(line.substr(equals + 1)));
  }
  return properties;
}

}  // namespace bpfproc
