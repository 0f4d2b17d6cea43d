#pragma once
// Linux capabilities of the calling thread, as 64-bit masks (bit N is capability N). They are per
// thread: capset() changes only the caller, so whoever drops them must do it before starting
// threads, or in a thread of its own to try something without them.
#include <cstdint>
#include <string>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct CapabilitySets {
  std::uint64_t effective = 0;
  std::uint64_t permitted = 0;
  std::uint64_t inheritable = 0;
};

constexpr std::uint64_t capability_bit(int capability) { return std::uint64_t{1} << capability; }

[[nodiscard]] Result<CapabilitySets> thread_capabilities();
[[nodiscard]] Status set_thread_capabilities(const CapabilitySets& sets);

// "CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE"; "none" for 0. Unknown bits as "cap_N".
std::string capability_names(std::uint64_t mask);

}  // namespace bpfproc
