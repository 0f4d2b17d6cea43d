#pragma once
// Parser for /proc/meminfo ("Key:   value [kB]" lines; proc(5)), which node_exporter's meminfo
// collector serves field by field.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct MeminfoField {
  std::string name;  // as the kernel prints it, e.g. "Active(anon)"
  std::uint64_t value = 0;  // bytes when in_bytes (the kernel's kB are KiB), else a count (HugePages_*)
  bool in_bytes = false;
};

// Every field, in file order. An error names the first line that is not "Key: number [kB]".
Result<std::vector<MeminfoField>> parse_meminfo(std::string_view text);

}  // namespace bpfproc
