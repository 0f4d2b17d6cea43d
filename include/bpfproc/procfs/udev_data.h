#pragma once
// Parser for a device's record in udev's database (/run/udev/data/b<major>:<minor> for a block
// device): its properties are the "E:KEY=VALUE" lines; the other lines (S: links, I: times, G:
// tags ...) are udev's bookkeeping. Read by host.disk for node_disk_info's model, serial, ...
#include <map>
#include <string>
#include <string_view>

namespace bpfproc {

// Never fails: a line that is not a property is skipped, as udev's own reader does.
std::map<std::string, std::string> parse_udev_properties(std::string_view text);

}  // namespace bpfproc
