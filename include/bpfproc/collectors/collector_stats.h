#pragma once
// Self-metrics of one collector: how long its runs take, how much CPU they use, whether the last
// one succeeded, and how many errors it has met. The registry owns one per collector and records
// every run through it, including the runs a collector makes on its own thread (memory), so no
// collector times itself. Thread-safe.
#include <cstdint>
#include <mutex>
#include <string>

#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

// The clocks of one run, started when it is made: wall time (CLOCK_MONOTONIC) and the running
// thread's own CPU time (CLOCK_THREAD_CPUTIME_ID), which excludes every other thread's work.
class RunClock {
 public:
  RunClock();
  double wall_seconds() const;  // since the start
  double cpu_seconds() const;   // since the start, this thread only

 private:
  double wall_start_;
  double cpu_start_;
};

class CollectorStats {
 public:
  explicit CollectorStats(std::string name) { status_.name = std::move(name); }

  // One finished run, timed by `clock`, and the errors it met (0 means success).
  void record_run(const RunClock& clock, std::uint64_t errors);
  CollectorStatus status() const;

 private:
  mutable std::mutex mutex_;
  CollectorStatus status_;
};

}  // namespace bpfproc
