#pragma once
// The self-metrics of one remote_write queue (push/), as /metrics and the pushes themselves show
// them: plain counts, so that the exposition needs nothing from the layer above it.
#include <array>
#include <cstdint>
#include <string>

namespace bpfproc {

struct RemoteWriteStatus {
  // Request durations from loopback (milliseconds) to a slow remote receiver (tens of seconds).
  static constexpr std::array<double, 10> kDurationBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

  std::string url;
  std::uint64_t samples_sent = 0;
  std::uint64_t samples_failed = 0;   // refused by the receiver (4xx other than 429): never retried
  std::uint64_t samples_retried = 0;  // counted once per retry of their batch
  std::uint64_t samples_dropped = 0;  // the queue was full: the oldest batch made room
  std::uint64_t queue_samples = 0;
  double last_success_unix_seconds = 0;
  std::array<std::uint64_t, kDurationBuckets.size()> duration_bucket_counts{};  // not cumulative
  std::uint64_t duration_count = 0;
  double duration_sum_seconds = 0;
};

}  // namespace bpfproc
