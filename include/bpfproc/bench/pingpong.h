#pragma once
// The pinned pipe ping-pong: two processes on one CPU pass one byte back and forth through two
// pipes, so that every hop is a context switch from one to the other (what `perf bench sched
// pipe` does under taskset). Elapsed time / (2 × round trips) is the cost of one switch, with
// whatever runs on the switch path included: that is what bench compares with and without
// bpfproc's programs.
#include <cstdint>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct PingPongRun {
  std::uint64_t round_trips = 0;
  std::uint64_t elapsed_ns = 0;
  // Context switches of the two processes over their lives (wait4: voluntary + involuntary),
  // warm-up included. About 2 per round trip; more means other work shared their CPU.
  std::uint64_t context_switches = 0;
  double nanoseconds_per_switch() const {
    return round_trips == 0 ? 0 : static_cast<double>(elapsed_ns) / (2.0 * static_cast<double>(round_trips));
  }
};

// Runs one timed ping-pong on `cpu`. Fails if either process cannot be pinned there, or on a
// stop signal.
Result<PingPongRun> run_pingpong(int cpu, std::uint64_t round_trips);

// The CPUs this process may run on, ascending.
std::vector<int> allowed_cpus();

}  // namespace bpfproc
