// The per-device counters of /proc/diskstats.
#include "bpfproc/procfs/diskstats.h"

#include <optional>

#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {

Result<std::vector<DiskStats>> parse_diskstats(std::string_view text) {
  std::vector<DiskStats> disks;
  std::optional<Error> error;
  for_each_line(text, [&](std::string_view line) {
    if (error || skip_blanks(line).empty()) return;
    const std::vector<std::string_view> words = split_words(line);
    DiskStats disk;
    bool good = words.size() >= 3 + 11 && words.size() <= 3 + static_cast<std::size_t>(DiskStats::kFields) &&
                parse_whole_number(words[0], disk.major) && parse_whole_number(words[1], disk.minor);
    if (good) {
      disk.name = std::string(words[2]);
      disk.counter_count = words.size() - 3;
      for (std::size_t field = 0; good && field < disk.counter_count; ++field)
        good = parse_whole_number(words[3 + field], disk.counters[field]);
    }
    if (!good) error = Error{"malformed line \"" + std::string(line.substr(0, 80)) + "\"", "diskstats", 0};
    else disks.push_back(std::move(disk));
  });
  if (error) return *error;
  return disks;
}

}  // namespace bpfproc
