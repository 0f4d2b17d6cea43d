#include "bpfproc/accounting/cpu_split.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

TEST(CpuSplit, FollowsTheSampledRatioAndSumsToTheRuntime) {
  CpuSplit split;
  const auto parts = split.update(1000, 300, 100);
  EXPECT_EQ(parts.user_ns, 750u);
  EXPECT_EQ(parts.system_ns, 250u);
}

TEST(CpuSplit, NeitherPartShrinksWhenTheRatioChanges) {
  CpuSplit split;
  split.update(1000, 900, 100);  // user 900, system 100
  const auto flipped = split.update(1100, 100, 900);  // the ratio now says system 990
  EXPECT_EQ(flipped.user_ns, 900u) << "user may not go below 900";
  EXPECT_EQ(flipped.system_ns, 200u);
  EXPECT_EQ(flipped.user_ns + flipped.system_ns, 1100u);
}

TEST(CpuSplit, NoSamplesYetGivesTheTimeToUser) {
  CpuSplit split;
  const auto parts = split.update(500, 0, 0);
  EXPECT_EQ(parts.user_ns, 500u);
  EXPECT_EQ(parts.system_ns, 0u);
}

TEST(CpuSplit, ARuntimeBelowWhatWasHandedOutKeepsThePreviousSplit) {
  CpuSplit split;
  split.update(1000, 1, 1);
  const auto parts = split.update(900, 1, 1);
  EXPECT_EQ(parts.user_ns + parts.system_ns, 1000u);
}

// Found by the event_record fuzzer: the sampled parts were summed in 64 bits, so two huge samples
// wrapped to a tiny total and a ratio above 1; and a runtime near 2^64 times a ratio of 1 is 2^64
// as a double, whose conversion back was undefined.
TEST(CpuSplit, ExtremeSamplesKeepTheRatioAndStayDefined) {
  CpuSplit wrapped;
  const CpuSplit::Parts parts = wrapped.update(1000, UINT64_MAX, 2);  // the sum wraps to 1
  EXPECT_EQ(parts.system_ns, 0u) << "almost all of the samples are user time";
  EXPECT_EQ(parts.user_ns, 1000u);

  CpuSplit all_system;
  const CpuSplit::Parts whole = all_system.update(UINT64_MAX, 0, 5);
  EXPECT_EQ(whole.system_ns, UINT64_MAX);
  EXPECT_EQ(whole.user_ns, 0u);
}

}  // namespace
}  // namespace bpfproc
