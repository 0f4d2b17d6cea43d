#include "bpfproc/collectors/collector_stats.h"

#include <time.h>

#include "bpfproc/util/clock.h"

namespace bpfproc {

RunClock::RunClock()
    : wall_start_(clock_seconds(CLOCK_MONOTONIC)), cpu_start_(clock_seconds(CLOCK_THREAD_CPUTIME_ID)) {}

double RunClock::wall_seconds() const { return clock_seconds(CLOCK_MONOTONIC) - wall_start_; }

double RunClock::cpu_seconds() const { return clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu_start_; }

void CollectorStats::record_run(const RunClock& clock, std::uint64_t errors) {
  const double duration_seconds = clock.wall_seconds();
  const double cpu_seconds = clock.cpu_seconds();
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
  status_.last_run_unix_seconds = clock_seconds(CLOCK_REALTIME);
}

CollectorStatus CollectorStats::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace bpfproc
