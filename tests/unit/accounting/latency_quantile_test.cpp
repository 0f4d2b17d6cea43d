// Quantiles from a log2 run-queue latency histogram: the upper bound of the slot where the
// cumulative count reaches the quantile, never above the exact longest wait.
#include "bpfproc/accounting/latency_quantile.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

constexpr std::uint64_t kLast = RunqueueLatency::kSlots - 1;

TEST(LatencyQuantile, NoWaitsIsZero) {
  EXPECT_EQ(latency_quantile_upper_bound_ns(RunqueueLatency{}, 0.5, 0), 0u);
}

TEST(LatencyQuantile, IsTheUpperBoundOfTheSlotWhereTheCountReachesTheQuantile) {
  RunqueueLatency latency;
  latency.slots[0] = 50;  // <= 1024 ns
  latency.slots[3] = 40;  // <= 8192 ns
  latency.slots[6] = 10;  // <= 65536 ns
  const std::uint64_t max_ns = 60'000;
  EXPECT_EQ(latency_quantile_upper_bound_ns(latency, 0.50, max_ns), 1024u) << "the 50th wait is in slot 0";
  EXPECT_EQ(latency_quantile_upper_bound_ns(latency, 0.51, max_ns), 8192u);
  EXPECT_EQ(latency_quantile_upper_bound_ns(latency, 0.90, max_ns), 8192u);
  EXPECT_EQ(latency_quantile_upper_bound_ns(latency, 0.99, max_ns), 60'000u) << "capped at the longest wait";
  EXPECT_EQ(latency_quantile_upper_bound_ns(latency, 1.0, max_ns), 60'000u);
}

TEST(LatencyQuantile, ASingleWaitIsEveryQuantile) {
  RunqueueLatency latency;
  latency.slots[2] = 1;
  EXPECT_EQ(latency_quantile_upper_bound_ns(latency, 0.5, 3'000), 3'000u);
  EXPECT_EQ(latency_quantile_upper_bound_ns(latency, 0.01, 3'000), 3'000u);
}

TEST(LatencyQuantile, TheOverflowSlotReportsTheLongestWait) {
  RunqueueLatency latency;
  latency.slots[0] = 1;
  latency.slots[kLast] = 1;
  const std::uint64_t max_ns = 10'000'000'000;  // 10 s, beyond the last bound
  EXPECT_EQ(latency_quantile_upper_bound_ns(latency, 0.99, max_ns), max_ns);
}

}  // namespace
}  // namespace bpfproc
