// The fields of /proc/meminfo.
#include "bpfproc/procfs/meminfo.h"

#include <optional>

#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {

Result<std::vector<MeminfoField>> parse_meminfo(std::string_view text) {
  std::vector<MeminfoField> fields;
  std::optional<Error> error;
  for_each_line(text, [&](std::string_view line) {
    if (error || skip_blanks(line).empty()) return;
    const std::size_t colon = line.find(':');
    MeminfoField field;
    bool good = colon != std::string_view::npos && colon > 0;
    if (good) {
      field.name = std::string(line.substr(0, colon));
      std::string_view value = line.substr(colon + 1);
      good = take_number(value, field.value);
      value = skip_blanks(value);
      if (good && value == "kB") {
        field.in_bytes = true;
        field.value *= 1024;
      } else if (!value.empty()) {
        good = false;
      }
    }
    if (!good) error = Error{"malformed line \"" + std::string(line.substr(0, 80)) + "\"", "meminfo", 0};
    else fields.push_back(std::move(field));
  });
  if (error) return *error;
  if (fields.empty()) return Error{"no fields", "meminfo", 0};
  return fields;
}

}  // namespace bpfproc
