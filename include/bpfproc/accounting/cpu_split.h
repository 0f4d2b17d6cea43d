#pragma once
// Splits an exact runtime into user and system time following the kernel's sampled ratio, the
// way the kernel's cputime_adjust() does: both parts only ever grow, and they sum to the runtime.
#include <cstdint>

namespace bpfproc {

class CpuSplit {
 public:
  struct Parts {
    std::uint64_t user_ns = 0;
    std::uint64_t system_ns = 0;
  };

  // runtime_ns must not decrease between calls; sampled_* are the tick-based utime/stime.
  Parts update(std::uint64_t runtime_ns, std::uint64_t sampled_user_ns, std::uint64_t sampled_system_ns);
  Parts last() const { return previous_; }

 private:
  Parts previous_;
};

}  // namespace bpfproc
