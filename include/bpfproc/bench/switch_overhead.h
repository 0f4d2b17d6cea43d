#pragma once
// What a set of BPF programs adds to every context switch: the pinned ping-pong, alternately with
// the programs attached (A) and detached (B), A B A B ..., then one untimed run with the kernel's
// run-time statistics on, for the cost per run of each program.
#include <cstdint>
#include <string>

#include "bpfproc/bench/bench_report.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

enum class SwitchPrograms {
  default_collectors,   // bpfproc's programs as the daemon loads them by default
  runqueue_latency_on,  // as with --collector.runqueue-latency
  floor,                // bpf/switch_floor.bpf.c: an empty sched_switch program
};

struct SwitchOverheadOptions {
  int cpu = 0;
  std::uint64_t round_trips = 0;
  unsigned pairs = 0;
  std::string churn_path;  // the statistics run starts a few processes, so that the fork and
  std::string burn_path;   // exec programs run too
};

Result<SwitchOverhead> measure_switch_overhead(SwitchPrograms programs, const SwitchOverheadOptions& options);

}  // namespace bpfproc
