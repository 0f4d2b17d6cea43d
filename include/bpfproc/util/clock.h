#pragma once
// Readings of the kernel's clocks. CLOCK_BOOTTIME is the clock of task start times
// (start_boottime), so it converts them to wall-clock time.
#include <time.h>
#include <unistd.h>

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

// /proc reports start times and utime/stime in clock ticks (USER_HZ).
inline std::uint64_t clock_ticks_per_second() {
  static const std::uint64_t ticks_per_second = [] {
    const long value = sysconf(_SC_CLK_TCK);
    return value > 0 ? static_cast<std::uint64_t>(value) : 100;  // 100: USER_HZ on every arch
  }();
  return ticks_per_second;
}

// Whole seconds and the remainder separately, so that ticks * 1e9 cannot overflow.
inline std::uint64_t ticks_to_nanoseconds(std::uint64_t ticks) {
  const std::uint64_t per_second = clock_ticks_per_second();
  return ticks / per_second * 1'000'000'000ull + ticks % per_second * 1'000'000'000ull / per_second;
}

// The tick a CLOCK_BOOTTIME start time falls in: what /proc/PID/stat shows for it.
inline std::uint64_t nanoseconds_to_ticks(std::uint64_t nanoseconds) {
  return nanoseconds / (1'000'000'000ull / clock_ticks_per_second());
}

// Unix time in nanoseconds of an instant `since_boot_ns` after a boot at `boot_time_unix_seconds`,
// clamped to what int64 nanoseconds hold (years 1677 to 2262): the kernel's records are data, and
// a wrong one must give a wrong time, not a signed overflow.
inline std::int64_t unix_time_ns(std::int64_t boot_time_unix_seconds, std::uint64_t since_boot_ns) {
  std::int64_t boot_ns = 0;
  if (__builtin_mul_overflow(boot_time_unix_seconds, 1'000'000'000, &boot_ns))
    return boot_time_unix_seconds < 0 ? INT64_MIN : INT64_MAX;
  std::int64_t sum = 0;  // the builtins compute exactly; since_boot_ns can only push it up
  if (__builtin_add_overflow(boot_ns, since_boot_ns, &sum)) return INT64_MAX;
  return sum;
}

// Wall-clock time of the boot: start_boottime + this = Unix time of a task's start.
inline double boot_time_unix_seconds() { return clock_seconds(CLOCK_REALTIME) - clock_seconds(CLOCK_BOOTTIME); }

}  // namespace bpfproc
