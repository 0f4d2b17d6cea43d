#pragma once
// Parser for /proc/PID/smaps_rollup.
#include <cstdint>
#include <string_view>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct MemoryUsage {
  std::uint64_t rss = 0;        // bytes, as every field here
  std::uint64_t pss = 0;
  std::uint64_t pss_anon = 0;
  std::uint64_t pss_file = 0;
  std::uint64_t pss_shmem = 0;
  std::uint64_t uss = 0;        // Private_Clean + Private_Dirty
  std::uint64_t swap = 0;
  std::uint64_t swap_pss = 0;

  MemoryUsage& operator+=(const MemoryUsage& other);
  MemoryUsage& operator-=(const MemoryUsage& other);  // of what was added: never below zero
  bool operator==(const MemoryUsage&) const = default;
};

// Values in the file are in kB. An empty file is an error: there is nothing to report, and the
// caller skips the process. For a kernel thread, kernel 6.18 fails the read() itself with ESRCH
// (indistinguishable from an exited process), so skip kernel threads before reading.
// Unknown lines are ignored (newer kernels add fields).
Result<MemoryUsage> parse_smaps_rollup(std::string_view text);

}  // namespace bpfproc
