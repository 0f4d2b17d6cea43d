#pragma once
// Parser for /proc/PID/stat (proc(5)).
#include <cstdint>
#include <string>
#include <string_view>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct ProcStat {
  int pid = 0;
  std::string comm;          // without the parentheses; may contain spaces and ')'
  char state = '?';
  int ppid = 0;
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::int64_t num_threads = 0;
  std::uint64_t start_time_ticks = 0;  // since boot, in clock ticks (sysconf(_SC_CLK_TCK))
  std::uint64_t virtual_memory_bytes = 0;
  std::int64_t resident_pages = 0;
  unsigned int flags = 0;    // PF_* flags, e.g. PF_KTHREAD (bpf/kernel_flags.h)
};

// The comm is delimited by the first '(' and the LAST ')', since comm itself may contain ')'.
Result<ProcStat> parse_proc_stat(std::string_view text);

}  // namespace bpfproc
