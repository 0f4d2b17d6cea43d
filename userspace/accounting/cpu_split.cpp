#include "bpfproc/accounting/cpu_split.h"

#include <algorithm>

namespace bpfproc {

CpuSplit::Parts CpuSplit::update(std::uint64_t runtime_ns, std::uint64_t sampled_user_ns,
                                 std::uint64_t sampled_system_ns) {
  // A runtime below what was already handed out would make a part go down: keep the old split.
  if (runtime_ns < previous_.user_ns + previous_.system_ns) return previous_;

  std::uint64_t system_ns;
  if (sampled_user_ns == 0 && sampled_system_ns == 0) {
    // No tick has hit the task yet: give the new time to user, as the kernel does.
    system_ns = previous_.system_ns;
  } else {
    // In floating point: runtime * sampled_system overflows 64 bits after ~4 hours of CPU, and
    // a double's 53-bit mantissa is exact to the nanosecond up to 104 days of CPU. The sum is a
    // double too, as two 64-bit samples can overflow it (records are data, not a promise).
    const double ratio = static_cast<double>(sampled_system_ns) /
                         (static_cast<double>(sampled_user_ns) + static_cast<double>(sampled_system_ns));
    const double system = static_cast<double>(runtime_ns) * ratio;
    // ratio <= 1, but a runtime near 2^64 rounds up to 2^64 as a double, which does not convert back.
    system_ns = system >= 0x1p64 ? runtime_ns : static_cast<std::uint64_t>(system);
  }
  // Neither part may shrink: system within [previous system, runtime - previous user].
  system_ns = std::clamp(system_ns, previous_.system_ns, runtime_ns - previous_.user_ns);
  previous_ = {runtime_ns - system_ns, system_ns};
  return previous_;
}

}  // namespace bpfproc
