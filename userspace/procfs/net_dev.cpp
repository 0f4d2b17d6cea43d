// The per-interface counters of /proc/net/dev.
#include "bpfproc/procfs/net_dev.h"

#include <optional>

#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {

Result<std::vector<NetDevice>> parse_net_dev(std::string_view text) {
  std::vector<NetDevice> devices;
  std::optional<Error> error;
  for_each_line(text, [&](std::string_view line) {
    // The two header lines have a '|' and no ':'.
    if (error || skip_blanks(line).empty() || line.find('|') != std::string_view::npos) return;
    // No blank needs to follow the colon ("eth0:123 ..." when the byte count is wide).
    const std::size_t colon = line.find(':');
    NetDevice device;
    std::vector<std::string_view> words;
    bool good = colon != std::string_view::npos;
    if (good) {
      device.name = std::string(skip_blanks(line.substr(0, colon)));
      words = split_words(line.substr(colon + 1));
      good = !device.name.empty() && words.size() == 16;
    }
    for (std::size_t column = 0; good && column < 8; ++column)
      good = parse_whole_number(words[column], device.receive[column]) &&
             parse_whole_number(words[8 + column], device.transmit[column]);
    if (!good) error = Error{"malformed line \"" + std::string(line.substr(0, 80)) + "\"", "net/dev", 0};
    else devices.push_back(std::move(device));
  });
  if (error) return *error;
  return devices;
}

}  // namespace bpfproc
