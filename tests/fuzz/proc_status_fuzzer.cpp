// Fuzzes parse_proc_status: /proc/PID/status, whose Name: line is the process's own comm.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bpfproc/procfs/proc_status.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto status = bpfproc::parse_proc_status(std::string_view(reinterpret_cast<const char*>(data), size));
  if (status && status->name.size() > size) __builtin_trap();
  return 0;
}
