// The stall totals of a /proc/pressure file.
#include "bpfproc/procfs/pressure.h"

#include <string>
#include <vector>

#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {

Result<PressureTotals> parse_pressure(std::string_view text, std::string_view object) {
  PressureTotals totals;
  std::optional<Error> error;
  for_each_line(text, [&](std::string_view line) {
    if (error || skip_blanks(line).empty()) return;
    const std::vector<std::string_view> words = split_words(line);
    std::optional<std::uint64_t>* target = words[0] == "some"   ? &totals.some_microseconds
                                           : words[0] == "full" ? &totals.full_microseconds
                                                                : nullptr;
    std::uint64_t total = 0;
    bool found = false;
    for (std::string_view word : words)
      if (word.substr(0, 6) == "total=") found = parse_whole_number(word.substr(6), total);
    if (target == nullptr || !found) error = Error{"malformed line \"" + std::string(line.substr(0, 80)) + "\"", std::string(object), 0};
    else *target = total;
  });
  if (error) return *error;
  if (!totals.some_microseconds) return Error{"no \"some\" line", std::string(object), 0};
  return totals;
}

}  // namespace bpfproc
