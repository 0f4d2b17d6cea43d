#pragma once
// Self-metrics of one collector: how long its runs take, whether the last one succeeded, and how
// many errors it has met. Thread-safe: the memory refresher records from its own thread.
#include <array>
#include <cstdint>
#include <mutex>
#include <string>

namespace bpfproc {

struct CollectorStatus {
  // Upper bounds of bpfproc_exporter_collector_duration_seconds, in seconds.
  static constexpr std::array<double, 11> kBuckets{0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                   0.25,  0.5,   1.0,  2.5,   5.0};
  std::string name;
  std::array<std::uint64_t, kBuckets.size()> bucket_counts{};  // not cumulative
  std::uint64_t count = 0;
  double sum_seconds = 0;
  double cpu_seconds = 0;  // CPU time of all runs, from the running thread's own clock
  std::uint64_t errors = 0;
  bool success = false;
  double last_run_unix_seconds = 0;  // 0 until the first run
};

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
