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

}  // namespace
}  // namespace bpfproc
