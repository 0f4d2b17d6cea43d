// The memory refresher's schedule: a read's cost sets the next one's time, max-age bounds it,
// a process is never handed out twice at once, and small processes are skipped.
#include "bpfproc/collectors/memory_schedule.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

using namespace std::chrono_literals;
using Clock = MemorySchedule::Clock;

const ProcessKey kSmall{100, 1000};
const ProcessKey kLarge{200, 2000};

MemorySchedule schedule_of(std::uint64_t min_rss = 0) {
  return MemorySchedule({.interval = 30s, .max_age = 10min, .min_rss_bytes = min_rss});
}

TEST(MemorySchedule, ANewProcessIsDueAtOnceAndACheapOneEveryInterval) {
  MemorySchedule schedule = schedule_of();
  const Clock::time_point start{};
  schedule.update({{kSmall, 1 << 20}}, start);
  auto due = schedule.take_due(start, false);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->key, kSmall);
  EXPECT_EQ(due->action, MemorySchedule::Take::read);
  schedule.finish(kSmall, start, 10e-6, true);
  EXPECT_FALSE(schedule.take_due(start + 29s, false));
  EXPECT_EQ(schedule.next_due(), start + 30s);
  EXPECT_TRUE(schedule.take_due(start + 30s, false));
}

TEST(MemorySchedule, ACostlyReadIsMadeLessOftenButWithinMaxAge) {
  const MemorySchedule schedule = schedule_of();
  EXPECT_EQ(schedule.period(10e-6), Clock::duration(30s)) << "10 µs, cheap: every interval";
  EXPECT_EQ(schedule.period(1e-3), Clock::duration(30s)) << "1 ms, still cheap";
  EXPECT_EQ(schedule.period(4e-3), Clock::duration(120s)) << "4 ms, 4 times the cheap cost: every 4 intervals";
  EXPECT_EQ(schedule.period(100e-3), Clock::duration(10min)) << "100 ms: 100 intervals, capped at max-age";
}

TEST(MemorySchedule, ACostCountsOnceTwoReadsInARowShowIt) {
  MemorySchedule schedule = schedule_of();
  Clock::time_point now{};
  schedule.update({{kLarge, 1 << 30}}, now);
  const auto read = [&](double cost) {
    EXPECT_TRUE(schedule.claim(kLarge));
    schedule.finish(kLarge, now, cost, true);
    return schedule.next_due() - now;
  };
  EXPECT_EQ(read(10e-6), Clock::duration(30s));
  EXPECT_EQ(read(5e-3), Clock::duration(30s)) << "one costly read among cheap ones: an outlier";
  EXPECT_EQ(read(5e-3), Clock::duration(150s)) << "two in a row: 5 ms, every 5 intervals";
  EXPECT_EQ(read(10e-6), Clock::duration(30s)) << "cheap again";
}

TEST(MemorySchedule, AProcessBeingReadIsNotHandedOutAgain) {
  MemorySchedule schedule = schedule_of();
  const Clock::time_point start{};
  schedule.update({{kSmall, 1 << 20}, {kLarge, 1 << 30}}, start);
  auto first = schedule.take_due(start, false);
  auto second = schedule.take_due(start, false);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->key, second->key);
  EXPECT_FALSE(schedule.take_due(start + 1h, false)) << "both are claimed";
  EXPECT_FALSE(schedule.claim(first->key));
  schedule.finish(first->key, start, 20e-6, true);
  EXPECT_TRUE(schedule.claim(first->key)) << "finished: it may be read again";
}

TEST(MemorySchedule, ProcessesBelowMinRssAreSkippedAndLeftOutOfTheAges) {
  MemorySchedule schedule = schedule_of(64 << 20);
  const Clock::time_point start{};
  schedule.update({{kSmall, 1 << 20}, {kLarge, 1 << 30}}, start);
  std::size_t skipped = 0;
  std::size_t reads = 0;
  while (auto due = schedule.take_due(start, false)) {
    if (due->action == MemorySchedule::Take::too_small) {
      EXPECT_EQ(due->key, kSmall);
      ++skipped;
    } else {
      ++reads;
    }
    schedule.finish(due->key, start, 0, false);
  }
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(reads, 1u);
  EXPECT_EQ(schedule.readable(), std::vector<ProcessKey>{kLarge});
  EXPECT_EQ(schedule.ages(start + 5s).processes, 1u);
  // It grew: the next look reads it.
  schedule.update({{kSmall, 128 << 20}, {kLarge, 1 << 30}}, start + 30s);
  auto due = schedule.take_due(start + 30s, false);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->key, kSmall);
  EXPECT_EQ(due->action, MemorySchedule::Take::read);
}

TEST(MemorySchedule, OverBudgetOnlyMaxAgeForcesARead) {
  MemorySchedule schedule = schedule_of();
  const Clock::time_point start{};
  schedule.update({{kSmall, 1 << 20}}, start);
  EXPECT_FALSE(schedule.take_due(start, true)) << "due, but its data is not max-age old";
  EXPECT_TRUE(schedule.take_due(start + 10min, true));
}

TEST(MemorySchedule, AgesAreSinceTheLastReadThatGaveData) {
  MemorySchedule schedule = schedule_of();
  const Clock::time_point start{};
  const ProcessKey third{300, 3000};
  schedule.update({{kSmall, 1}, {kLarge, 1}, {third, 1}}, start);
  ASSERT_TRUE(schedule.claim(kSmall));
  schedule.finish(kSmall, start + 10s, 10e-6, true);
  ASSERT_TRUE(schedule.claim(kLarge));
  schedule.finish(kLarge, start + 20s, 10e-6, false);  // gone or failed: still as old as before
  const MemorySchedule::Ages ages = schedule.ages(start + 40s);
  EXPECT_EQ(ages.processes, 3u);
  EXPECT_DOUBLE_EQ(ages.max_seconds, 40);
  EXPECT_DOUBLE_EQ(ages.median_seconds, 40);
  EXPECT_DOUBLE_EQ(schedule_of().ages(start).max_seconds, 0) << "no processes: no age";
}

TEST(MemorySchedule, AProcessNoLongerListedIsForgotten) {
  MemorySchedule schedule = schedule_of();
  const Clock::time_point start{};
  schedule.update({{kSmall, 1}, {kLarge, 1}}, start);
  ASSERT_TRUE(schedule.claim(kLarge));
  schedule.update({}, start + 1s);
  EXPECT_EQ(schedule.size(), 0u);
  schedule.finish(kLarge, start + 2s, 10e-6, true);  // its read ends after it went: nothing to do
  EXPECT_EQ(schedule.size(), 0u);
  EXPECT_FALSE(schedule.take_due(start + 1h, false));
}

}  // namespace
}  // namespace bpfproc
