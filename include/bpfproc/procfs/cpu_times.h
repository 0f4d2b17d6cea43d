#pragma once
// Parser for the per-CPU lines of /proc/stat ("cpuN user nice system idle iowait irq softirq
// steal guest guest_nice", in USER_HZ ticks; proc(5)), which node_exporter's cpu collector reads.
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct CpuTimes {
  // The columns of proc(5), in its order; a kernel that prints fewer leaves the rest 0.
  enum Column { kUser, kNice, kSystem, kIdle, kIowait, kIrq, kSoftirq, kSteal, kGuest, kGuestNice, kColumns };
  unsigned cpu = 0;  // N of "cpuN"
  std::array<std::uint64_t, kColumns> ticks{};
};

// Every "cpuN" line, in file order; the "cpu" total line is not one of them. An error names the
// first line that is not a CPU's times (fewer than 4 columns, or not numbers), or no CPU at all.
Result<std::vector<CpuTimes>> parse_cpu_times(std::string_view text);

}  // namespace bpfproc
