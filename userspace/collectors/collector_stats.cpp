#include "bpfproc/collectors/collector_stats.h"

namespace bpfproc {

void CollectorStats::record_run(double duration_seconds, double cpu_seconds, std::uint64_t errors,
                                double finished_unix_seconds) {
  std::lock_guard lock(mutex_);
  for (std::size_t index = 0; index < CollectorStatus::kBuckets.size(); ++index) {
    if (duration_seconds <= CollectorStatus::kBuckets[index]) {
      ++status_.bucket_counts[index];
      break;
    }
  }
  ++status_.count;
  status_.sum_seconds += duration_seconds;
  status_.cpu_seconds += cpu_seconds;
  status_.errors += errors;
  status_.success = errors == 0;
  status_.last_run_unix_seconds = finished_unix_seconds;
}

CollectorStatus CollectorStats::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace bpfproc
