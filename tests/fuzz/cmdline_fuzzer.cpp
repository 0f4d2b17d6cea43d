// Fuzzes parse_cmdline and join_cmdline: /proc/PID/cmdline (and the exec event's args) are
// whatever a process wrote over its own argv.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bpfproc/procfs/proc_cmdline.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto argv = bpfproc::parse_cmdline(text);
  const std::string joined = bpfproc::join_cmdline(argv);
  // Joining replaces each separator by one space: never longer than the text.
  if (joined.size() > size) __builtin_trap();
  return 0;
}
