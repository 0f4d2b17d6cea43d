#pragma once
// The standard Prometheus process_* metrics of the daemon itself, read exactly from ROOT/self
// (the same sources and semantics as client_golang's process collector).
#include <cstdint>
#include <string_view>

#include "bpfproc/procfs/procfs.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct SelfMetrics {
  double cpu_seconds = 0;            // process_cpu_seconds_total (user + system)
  double resident_memory_bytes = 0;  // process_resident_memory_bytes (status VmRSS)
  double virtual_memory_bytes = 0;   // process_virtual_memory_bytes (status VmSize)
  double open_fds = 0;               // process_open_fds (entries of self/fd)
  double max_fds = 0;                // process_max_fds (soft RLIMIT_NOFILE from self/limits)
  double start_time_seconds = 0;     // process_start_time_seconds (Unix time)
  double threads = 0;                // process_threads (status Threads)
};

// Where cpu_seconds comes from. It is a separate choice from the procfs root because the clock
// always measures the calling process, whatever ROOT/self holds.
enum class SelfCpuSource {
  // clock_gettime(CLOCK_PROCESS_CPUTIME_ID): nanosecond-exact, for the running daemon.
  process_clock,
  // utime + stime of ROOT/self/stat in clock ticks (10 ms): for fixtures, where ROOT/self is not
  // the calling process.
  proc_stat,
};

// Reads ROOT/stat, ROOT/self/{stat,status,limits} and lists ROOT/self/fd. open_fds includes the
// descriptor used to list ROOT/self/fd, as client_golang's does.
Result<SelfMetrics> read_self_metrics(const ProcFs& procfs,
                                      SelfCpuSource cpu_source = SelfCpuSource::process_clock);

// The soft limit of the "Max open files" line of /proc/PID/limits; "unlimited" is 2^64 - 1,
// as in client_golang.
Result<std::uint64_t> parse_max_open_files(std::string_view limits_text);

// The "btime" line of /proc/stat: boot time in seconds since the Unix epoch.
Result<std::uint64_t> parse_boot_time(std::string_view stat_text);

}  // namespace bpfproc
