// Fuzzes parse_smaps_rollup: /proc/PID/smaps_rollup as any bytes the kernel (or a fixture) gives.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bpfproc/procfs/smaps_rollup.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto memory = bpfproc::parse_smaps_rollup(text);
  if (memory) {
    // The accumulation the memory collector does with it must stay defined too.
    bpfproc::MemoryUsage total;
    total += *memory;
    total -= *memory;
    if (!(total == bpfproc::MemoryUsage{})) __builtin_trap();  // what was added comes off again
  }
  return 0;
}
