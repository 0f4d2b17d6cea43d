#pragma once
// What a snapshot holds of one group: its live members and its cumulative counters.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bpfproc/accounting/counters.h"
#include "bpfproc/accounting/process_gauges.h"
#include "bpfproc/procfs/smaps_rollup.h"

namespace bpfproc {

// The threads of a group's processes that have one name (comm), with --threads.
struct ThreadNameTotals {
  std::string name;
  std::uint64_t live_threads = 0;
  Counters counters;  // as the kernel keeps them: user_ns and system_ns are the sampled ticks
};

// One member exported on its own (--process.top-n).
struct ProcessTotals {
  std::uint32_t pid = 0;
  std::string comm;
  std::uint64_t runtime_ns = 0;   // what it used in the group, as its counters there
  std::uint64_t resident_bytes = 0;
  bool has_memory = false;        // a smaps_rollup reading: uss and pss
  std::uint64_t uss_bytes = 0;
  std::uint64_t pss_bytes = 0;
};

struct GroupTotals {
  std::string name;
  std::string subgroup;          // a catalogue group's (the subgroup label); empty: no such label
  // With --group.cgroup-label: its members' unit, container or cgroup (cgroup_label_name());
  // empty: no such label.
  std::string cgroup_label;
  std::string_view cgroup_label_name;  // "unit", "container" or "cgroup" (a literal)
  std::uint64_t processes = 0;   // live members
  std::uint64_t threads = 0;
  Counters counters;             // user_ns/system_ns split; user + system == runtime
  std::uint64_t exits = 0;
  bool has_memory = false;       // at least one member has a memory reading
  MemoryUsage memory;
  std::uint64_t oldest_start_ns = 0;  // CLOCK_BOOTTIME; 0 when the group has no live member
  GaugeTotals gauges;                 // of live members
  std::vector<ThreadNameTotals> thread_names;  // with --threads; sorted by name
  std::vector<ProcessTotals> top_processes;    // with --process.top-n; by pid
  // Live threads by where they sleep (/proc/PID/wchan), with --compat.process-exporter; by name.
  std::vector<std::pair<std::string, std::uint64_t>> wchans;
};

}  // namespace bpfproc
