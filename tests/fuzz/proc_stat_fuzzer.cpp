// Fuzzes parse_proc_stat: /proc/PID/stat, whose comm (any bytes a process names itself) may
// contain spaces, parentheses and newlines.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bpfproc/procfs/proc_stat.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto stat = bpfproc::parse_proc_stat(std::string_view(reinterpret_cast<const char*>(data), size));
  if (stat && stat->comm.size() >= size) __builtin_trap();  // the comm is a part of the text
  return 0;
}
