// Per-CPU times from /proc/stat.
#include "bpfproc/procfs/cpu_times.h"

#include <optional>
#include <string>

#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {

Result<std::vector<CpuTimes>> parse_cpu_times(std::string_view text) {
  std::vector<CpuTimes> cpus;
  std::optional<Error> error;
  for_each_line(text, [&](std::string_view line) {
    // "cpu " is the sum over CPUs; other lines (intr, ctxt, ...) are not times.
    if (error || line.substr(0, 3) != "cpu" || line.size() < 4 || line[3] < '0' || line[3] > '9') return;
    const std::vector<std::string_view> words = split_words(line);
    CpuTimes times;
    // user, nice, system and idle are in every kernel since 2.6; the rest came later.
    bool good = parse_whole_number(words[0].substr(3), times.cpu) && words.size() >= 5 &&
                words.size() <= 1 + CpuTimes::kColumns;
    for (std::size_t column = 1; good && column < words.size(); ++column)
      good = parse_whole_number(words[column], times.ticks[column - 1]);
    if (!good) error = Error{"malformed line \"" + std::string(line.substr(0, 80)) + "\"", "stat", 0};
    else cpus.push_back(times);
  });
  if (error) return *error;
  if (cpus.empty()) return Error{"no cpuN line", "stat", 0};
  return cpus;
}

}  // namespace bpfproc
