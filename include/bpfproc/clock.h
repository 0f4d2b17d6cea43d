#pragma once
// Readings of the kernel's clocks. CLOCK_BOOTTIME is the clock of task start times
// (start_boottime), so it converts them to wall-clock time.
#include <time.h>

#include <cstdint>

namespace bpfproc {

inline double clock_seconds(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

inline std::uint64_t clock_nanoseconds(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(now.tv_nsec);
}

// Wall-clock time of the boot: start_boottime + this = Unix time of a task's start.
inline double boot_time_unix_seconds() { return clock_seconds(CLOCK_REALTIME) - clock_seconds(CLOCK_BOOTTIME); }

}  // namespace bpfproc
