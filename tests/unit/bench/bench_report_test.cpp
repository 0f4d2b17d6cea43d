// `bpfproc bench` figures, thresholds and output, from fixed measurements: no timing involved.
#include <gtest/gtest.h>

#include "bpfproc/bench/bench_report.h"

namespace bpfproc {
namespace {

PingPongRun run(double nanoseconds_per_switch) {
  constexpr std::uint64_t kRoundTrips = 1000;
  return PingPongRun{kRoundTrips, static_cast<std::uint64_t>(nanoseconds_per_switch * 2 * kRoundTrips), 0};
}

SwitchOverhead overhead(const std::string& key, std::vector<std::pair<double, double>> pairs) {
  SwitchOverhead result;
  result.key = key;
  result.description = key;
  for (const auto& [attached, detached] : pairs) result.pairs.push_back({run(attached), run(detached)});
  result.programs = {{"handle_switch", 1000, 60'000}};
  return result;
}

// Every threshold met: 0.4% with the default collectors, 2% with latency on against a floor of 1.5%
// (0.5 point above it), 6 ms at 10,000 processes, 99.95% captured.
BenchReport passing_report() {
  BenchReport report;
  report.kernel = "6.18.0";
  report.cpus = 2;
  report.pingpong_cpu = 1;
  report.round_trips = 1000;
  report.switch_overheads = {
      overhead("default_collectors", {{1004, 1000}, {1004, 1000}, {1004, 1000}, {1004, 1000}, {1004, 1000}}),
      overhead("runqueue_latency_on", {{1020, 1000}, {1020, 1000}, {1020, 1000}, {1020, 1000}, {1020, 1000}}),
      overhead("floor", {{1015, 1000}, {1015, 1000}, {1015, 1000}, {1015, 1000}, {1015, 1000}})};
  CollectionCost small;
  small.processes = 1000;
  small.scrapes = 3;
  small.collection_cpu_seconds = 0.002;
  small.scrape_seconds = {0.003, 0.001, 0.002};
  CollectionCost large = small;
  large.processes = 10'000;
  large.collection_cpu_seconds = 0.006;
  report.collection = {small, large};
  ChurnCapture churn;
  churn.processes = 100;
  churn.burn_milliseconds = 5;
  churn.rusage_cpu_seconds = 1.0;
  churn.exported_cpu_seconds = 0.9995;
  churn.events_lost = {{"ringbuf_full", 0}};
  report.churn = churn;
  return report;
}

TEST(BenchReportTest, Median) {
  EXPECT_DOUBLE_EQ(median({}), 0);
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
}

TEST(BenchReportTest, OverheadIsTheMedianOfPerPairRatios) {
  // The host's load changes between pairs (detached runs of 1000 and 2000 ns): each pair's ratio
  // is unaffected, while the two medians pair runs from different load levels.
  // Pair ratios 1.10, 1.05, 1.02, 1.10, 1.01 -> median 1.05; medians 1100 / 1000 -> 1.10.
  const SwitchOverhead drifting =
      overhead("x", {{1100, 1000}, {2100, 2000}, {1020, 1000}, {2200, 2000}, {1010, 1000}});
  EXPECT_NEAR(drifting.overhead(), 0.05, 1e-9);
  EXPECT_DOUBLE_EQ(drifting.attached_median_ns(), 1100);
  EXPECT_DOUBLE_EQ(drifting.detached_median_ns(), 1000);
  EXPECT_NEAR(drifting.overhead_of_medians(), 0.10, 1e-9);
  EXPECT_DOUBLE_EQ(SwitchOverhead{}.overhead(), 0);
}

TEST(BenchReportTest, ChecksPassWhenEveryThresholdIsMet) {
  const auto checks = evaluate_checks(passing_report());
  ASSERT_EQ(checks.size(), 4u);
  for (const Check& check : checks) EXPECT_TRUE(check.pass) << check.name;
  EXPECT_EQ(missed_checks(checks), "");
  EXPECT_EQ(checks[2].name, "collection CPU at 10000 processes");
  EXPECT_DOUBLE_EQ(checks[2].value, 0.006);
}

TEST(BenchReportTest, EachMissedThresholdIsNamed) {
  BenchReport report = passing_report();
  report.switch_overheads[0] = overhead("default_collectors", {{1010, 1000}, {1010, 1000}, {1010, 1000}});
  report.switch_overheads[1] = overhead("runqueue_latency_on", {{1040, 1000}, {1040, 1000}, {1040, 1000}});
  report.collection[1].collection_cpu_seconds = 0.021;
  report.churn->exported_cpu_seconds = 0.99;
  const auto checks = evaluate_checks(report);
  for (const Check& check : checks) EXPECT_FALSE(check.pass) << check.name;
  EXPECT_EQ(missed_checks(checks),
            "context-switch overhead, default collectors 1.00% (limit <= 0.50%); "
            "context-switch overhead, run-queue latency on, above the floor 2.50% (limit <= 1.00%); "
            "collection CPU at 10000 processes 21.00 ms (limit <= 8.00 ms); "
            "churn capture 99.00% (limit >= 99.90%)");
}

TEST(BenchReportTest, AFigureNotMeasuredFailsItsCheck) {
  BenchReport report = passing_report();
  report.collection.pop_back();  // only 1,000 processes
  report.churn.reset();
  const auto checks = evaluate_checks(report);
  EXPECT_FALSE(checks[2].measured);
  EXPECT_FALSE(checks[2].pass);
  EXPECT_FALSE(checks[3].pass);
  EXPECT_NE(missed_checks(checks).find("collection CPU at 10000 processes not measured"), std::string::npos);
}

TEST(BenchReportTest, TheLatencyCheckIsAgainstTheFloorOfTheSameRun) {
  BenchReport report = passing_report();
  // 3% on its own would be much, but the floor moved to 2.5% in this run: 0.5 point above it.
  report.switch_overheads[1] = overhead("runqueue_latency_on", {{1030, 1000}, {1030, 1000}, {1030, 1000}});
  report.switch_overheads[2] = overhead("floor", {{1025, 1000}, {1025, 1000}, {1025, 1000}});
  auto checks = evaluate_checks(report);
  EXPECT_TRUE(checks[1].pass) << checks[1].name;
  EXPECT_NEAR(checks[1].value, 0.005, 1e-9);
  // Without a floor measured, the check has no figure to judge.
  report.switch_overheads.pop_back();
  checks = evaluate_checks(report);
  EXPECT_FALSE(checks[1].measured);
  EXPECT_FALSE(checks[1].pass);
}

TEST(BenchReportTest, TheCollectionCheckUsesTheSmallestCountOfAtLeastTenThousand) {
  BenchReport report = passing_report();
  CollectionCost larger = report.collection[1];
  larger.processes = 20'000;
  larger.collection_cpu_seconds = 0.030;
  report.collection.push_back(larger);
  const auto checks = evaluate_checks(report);
  EXPECT_TRUE(checks[2].pass);
  EXPECT_DOUBLE_EQ(checks[2].value, 0.006);
}

TEST(BenchReportTest, JsonHasEverySection) {
  const BenchReport report = passing_report();
  const auto json = report_json(report, evaluate_checks(report));
  for (const char* key : {"default_collectors", "runqueue_latency_on", "floor"}) {
    const auto& entry = json.at("context_switch").at(key);
    EXPECT_EQ(entry.at("pairs").size(), 5u) << key;
    EXPECT_EQ(entry.at("programs").at(0).at("name"), "handle_switch");
    EXPECT_DOUBLE_EQ(entry.at("programs").at(0).at("ns_per_run").get<double>(), 60);
  }
  EXPECT_NEAR(json["context_switch"]["runqueue_latency_on"]["overhead"].get<double>(), 0.02, 1e-9);
  ASSERT_EQ(json.at("collection").size(), 2u);
  EXPECT_DOUBLE_EQ(json["collection"][0]["scrape_latency_seconds"].get<double>(), 0.002);
  EXPECT_NEAR(json.at("churn").at("captured").get<double>(), 0.9995, 1e-12);
  EXPECT_EQ(json.at("checks").size(), 4u);
  EXPECT_TRUE(json.at("checks_pass").get<bool>());
}

TEST(BenchReportTest, TableShowsEachSectionAndTheVerdicts) {
  const BenchReport report = passing_report();
  const std::string table = report_table(report, evaluate_checks(report));
  for (const char* text : {"Context-switch overhead", "BPF programs", "handle_switch", "Collection cost",
                           "Churn capture", "99.950%", "collection CPU at 10000 processes", "PASS"})
    EXPECT_NE(table.find(text), std::string::npos) << text << " missing from:\n" << table;
  EXPECT_EQ(table.find("MISS"), std::string::npos);
}

}  // namespace
}  // namespace bpfproc
