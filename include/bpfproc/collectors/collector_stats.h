#pragma once
// Self-metrics of one collector: how long its runs take, whether the last one succeeded, and how
// many errors it has met. Thread-safe: the memory refresher records from its own thread.
#include <cstdint>
#include <mutex>
#include <string>

#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

class CollectorStats {
 public:
  explicit CollectorStats(std::string name) { status_.name = std::move(name); }

  // One finished run: its wall duration, its CPU time, and the errors it met (0 means success).
  void record_run(double duration_seconds, double cpu_seconds, std::uint64_t errors, double finished_unix_seconds);
  CollectorStatus status() const;

 private:
  mutable std::mutex mutex_;
  CollectorStatus status_;
};

}  // namespace bpfproc
