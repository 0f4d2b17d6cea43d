// The soak's counter check: decreases are found, a series that vanished and came back is a
// reset, and increase() adds up what the counters rose by across resets.
#include <gtest/gtest.h>

#include "bpfproc/bench/counter_watch.h"

namespace bpfproc {
namespace {

std::vector<Sample> scrape(std::string_view text) { return parse_prometheus_text(text); }

TEST(CounterWatchTest, OnlyCountersAndHistogramPartsAreCumulative) {
  EXPECT_TRUE(is_cumulative("bpfproc_group_cpu_seconds_total"));
  EXPECT_TRUE(is_cumulative("bpfproc_exporter_collector_duration_seconds_bucket"));
  EXPECT_TRUE(is_cumulative("bpfproc_exporter_collector_duration_seconds_count"));
  EXPECT_TRUE(is_cumulative("bpfproc_exporter_collector_duration_seconds_sum"));
  EXPECT_FALSE(is_cumulative("bpfproc_group_processes"));
  EXPECT_FALSE(is_cumulative("process_resident_memory_bytes"));
}

TEST(CounterWatchTest, ReportsACounterThatGoesDown) {
  CounterWatch watch;
  EXPECT_TRUE(watch.observe(scrape("a_total{group=\"x \\\"y\\\"\"} 5\nb_bucket{le=\"1\"} 2\n")).empty());
  EXPECT_TRUE(watch.observe(scrape("a_total{group=\"x \\\"y\\\"\"} 5\nb_bucket{le=\"1\"} 3\n")).empty());
  const auto decreases = watch.observe(scrape("a_total{group=\"x \\\"y\\\"\"} 4.5\nb_bucket{le=\"1\"} 3\n"));
  ASSERT_EQ(decreases.size(), 1u);
  EXPECT_EQ(decreases[0].series, "a_total{group=\"x \\\"y\\\"\"}");
  EXPECT_DOUBLE_EQ(decreases[0].before, 5);
  EXPECT_DOUBLE_EQ(decreases[0].after, 4.5);
  EXPECT_EQ(decreases[0].scrape, 2u);
  EXPECT_EQ(watch.scrapes(), 3u);
  EXPECT_EQ(watch.series(), 2u);
}

TEST(CounterWatchTest, GaugesMayGoDown) {
  CounterWatch watch;
  EXPECT_TRUE(watch.observe(scrape("bpfproc_group_processes{group=\"x\"} 9\n")).empty());
  EXPECT_TRUE(watch.observe(scrape("bpfproc_group_processes{group=\"x\"} 1\n")).empty());
  EXPECT_EQ(watch.series(), 0u);
}

TEST(CounterWatchTest, ASeriesThatWasAbsentStartsAgain) {
  CounterWatch watch;
  EXPECT_TRUE(watch.observe(scrape("cpu_total{group=\"blink\"} 3\n")).empty());
  EXPECT_TRUE(watch.observe(scrape("other_total 1\n")).empty());  // the group was removed
  EXPECT_TRUE(watch.observe(scrape("cpu_total{group=\"blink\"} 1\n")).empty()) << "a reset, not a decrease";
  EXPECT_EQ(watch.returns(), 1u);
}

TEST(CounterWatchTest, IncreaseSumsRisesAcrossResets) {
  CounterWatch watch;
  (void)watch.observe(scrape("cpu_total{group=\"old\",mode=\"user\"} 100\n"));  // before the run: a baseline
  (void)watch.observe(scrape("cpu_total{group=\"old\",mode=\"user\"} 101\ncpu_total{group=\"new\",mode=\"user\"} 2\n"));
  (void)watch.observe(scrape("cpu_total{group=\"old\",mode=\"user\"} 101\ncpu_total{group=\"new\",mode=\"system\"} 1\n"));
  (void)watch.observe(scrape("cpu_total{group=\"new\",mode=\"user\"} 0.5\ncpu_total{group=\"new\",mode=\"system\"} 1.5\n"));
  EXPECT_DOUBLE_EQ(watch.increase("cpu_total", {{"group", "old"}}), 1);
  // new/user: 2, gone, back with 0.5 from zero; new/system: 1 at its first appearance, then +0.5.
  EXPECT_DOUBLE_EQ(watch.increase("cpu_total", {{"group", "new"}}), 4);
  EXPECT_DOUBLE_EQ(watch.increase("cpu_total", {{"group", "new"}, {"mode", "system"}}), 1.5);
  EXPECT_DOUBLE_EQ(watch.increase("cpu_total"), 5);
}

TEST(CounterWatchTest, ADecreaseCountedAsAResetStartsFromZero) {
  CounterWatch watch;
  (void)watch.observe(scrape("cpu_total{group=\"git\"} 0\n"));
  (void)watch.observe(scrape("cpu_total{group=\"git\"} 5\n"));
  const auto decreases = watch.observe(scrape("cpu_total{group=\"git\"} 2\n"));
  ASSERT_EQ(decreases.size(), 1u);
  EXPECT_EQ(decreases[0].labels.at("group"), "git");
  watch.count_as_reset(decreases[0]);
  (void)watch.observe(scrape("cpu_total{group=\"git\"} 3\n"));
  EXPECT_DOUBLE_EQ(watch.increase("cpu_total"), 8) << "5, then 2 from zero, then 1";
  EXPECT_EQ(watch.resets(), 1u);
}

}  // namespace
}  // namespace bpfproc
