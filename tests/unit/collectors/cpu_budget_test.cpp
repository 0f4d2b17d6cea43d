// The refresher's CPU budget: what was charged in the last window, and when work may start again.
#include "bpfproc/collectors/cpu_budget.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

using namespace std::chrono_literals;
using Clock = CpuBudget::Clock;

TEST(CpuBudget, WorkStartsWhileTheWindowIsUnderTheLimit) {
  CpuBudget budget(0.01, 60s);  // 0.6 s of CPU per minute
  const Clock::time_point start{};
  EXPECT_DOUBLE_EQ(budget.limit_seconds(), 0.6);
  EXPECT_EQ(budget.available_at(start), start);
  budget.charge(start, 0.5);
  EXPECT_EQ(budget.available_at(start + 1s), start + 1s);
  budget.charge(start + 10s, 0.2);
  EXPECT_DOUBLE_EQ(budget.used(start + 10s), 0.7);
  // Over: 0.7 s. Once the first charge leaves the window, 0.2 s remain.
  EXPECT_EQ(budget.available_at(start + 11s), start + 60s);
  EXPECT_DOUBLE_EQ(budget.used(start + 60s), 0.2);
  EXPECT_DOUBLE_EQ(budget.used(start + 70s), 0);
}

TEST(CpuBudget, ManySmallChargesWaitOnlyUntilEnoughHaveLeft) {
  CpuBudget budget(0.01, 60s);
  const Clock::time_point start{};
  for (int second = 0; second < 7; ++second) budget.charge(start + std::chrono::seconds(second), 0.1);
  // 0.7 s: the first two must leave before 0.5 s < 0.6 s remain.
  EXPECT_EQ(budget.available_at(start + 7s), start + 61s);
  budget.charge(start + 7s, 0);  // nothing used: nothing recorded
  EXPECT_DOUBLE_EQ(budget.used(start + 7s), 0.7);
}

}  // namespace
}  // namespace bpfproc
