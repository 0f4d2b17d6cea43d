// What `bpfproc measure` prints: the JSON keys scripts rely on, and the readable report.
#include "bpfproc/measure/measure_report.h"

#include <signal.h>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

MeasureReport sample_report() {
  MeasureReport report;
  report.command = {"sh", "-c", "make -j2 'all'"};
  report.exit_code = 0;
  report.wall_seconds = 1.5;
  report.totals.counters.runtime_ns = 1'234'567'890;
  report.totals.counters.user_ns = 1'000'000'000;
  report.totals.counters.system_ns = 234'567'890;
  report.totals.counters.voluntary_switches = 10;
  report.totals.counters.involuntary_switches = 20;
  report.totals.counters.migrations = 3;
  report.totals.counters.run_delay_ns = 5'000'000;
  report.totals.counters.runqueue_latency.slots[0] = 90;   // <= 1.024 µs
  report.totals.counters.runqueue_latency.slots[10] = 10;  // <= 1.048576 ms
  report.totals.runqueue_latency_max_ns = 900'000;
  report.totals.processes = 201;
  report.totals.threads = 205;
  report.totals.still_running = 1;
  report.peak_memory = {.rss = 4 << 20, .pss = 2 << 20, .uss = 1 << 20, .samples = 12};
  return report;
}

TEST(MeasureReport, JsonHasEveryFigureInBaseUnits) {
  const auto json = measure_report_json(sample_report());
  EXPECT_EQ(json["command"], (std::vector<std::string>{"sh", "-c", "make -j2 'all'"}));
  EXPECT_EQ(json["exit_code"], 0);
  EXPECT_TRUE(json["signal"].is_null());
  EXPECT_DOUBLE_EQ(json["wall_seconds"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(json["cpu_seconds"].get<double>(), 1.23456789);
  EXPECT_DOUBLE_EQ(json["user_seconds"].get<double>() + json["system_seconds"].get<double>(), 1.23456789);
  EXPECT_EQ(json["processes"], 201);
  EXPECT_EQ(json["threads"], 205);
  EXPECT_EQ(json["still_running"], 1);
  EXPECT_DOUBLE_EQ(json["runqueue_wait_seconds"].get<double>(), 0.005);
  EXPECT_DOUBLE_EQ(json["runqueue_latency_seconds"]["p50"].get<double>(), 1.024e-6);
  EXPECT_DOUBLE_EQ(json["runqueue_latency_seconds"]["p90"].get<double>(), 1.024e-6);
  EXPECT_DOUBLE_EQ(json["runqueue_latency_seconds"]["p99"].get<double>(), 900e-6) << "capped at max";
  EXPECT_DOUBLE_EQ(json["runqueue_latency_seconds"]["max"].get<double>(), 900e-6);
  EXPECT_EQ(json["voluntary_switches"], 10);
  EXPECT_EQ(json["involuntary_switches"], 20);
  EXPECT_EQ(json["migrations"], 3);
  EXPECT_EQ(json["peak_rss_bytes"], 4 << 20);
  EXPECT_EQ(json["peak_pss_bytes"], 2 << 20);
  EXPECT_EQ(json["peak_uss_bytes"], 1 << 20);
  EXPECT_EQ(json["events_lost"], 0);
}

TEST(MeasureReport, MemoryThatWasNeverSampledIsNullNotZero) {
  MeasureReport report = sample_report();
  report.peak_memory = {};
  const auto json = measure_report_json(report);
  EXPECT_TRUE(json["peak_rss_bytes"].is_null());
  EXPECT_TRUE(json["peak_pss_bytes"].is_null());
  EXPECT_TRUE(json["peak_uss_bytes"].is_null());
  EXPECT_NE(measure_report_text(report).find("not sampled"), std::string::npos);
}

TEST(MeasureReport, TextNamesTheCommandAndEachFigure) {
  MeasureReport report = sample_report();
  report.exit_code = 128 + SIGKILL;
  report.signal = SIGKILL;
  const std::string text = measure_report_text(report);
  EXPECT_EQ(text.rfind("bpfproc measure: sh -c 'make -j2 '\\''all'\\'''\n", 0), 0u) << text;
  EXPECT_NE(text.find("exit status          137 (killed by signal 9"), std::string::npos) << text;
  EXPECT_NE(text.find("CPU time             1.234568 s (user 1.000000 s, system 0.234568 s)"), std::string::npos) << text;
  EXPECT_NE(text.find("processes            201 (1 still running)"), std::string::npos) << text;
  EXPECT_NE(text.find("p50 ≤ 1.0 µs, p90 ≤ 1.0 µs, p99 ≤ 900.0 µs, max 900.0 µs"), std::string::npos) << text;
  EXPECT_NE(text.find("upper bounds"), std::string::npos) << text;
  EXPECT_NE(text.find("RSS 4.0 MiB, PSS 2.0 MiB, USS 1.0 MiB"), std::string::npos) << text;
  EXPECT_EQ(text.find("incomplete"), std::string::npos) << text;
}

TEST(MeasureReport, LossesAreSaid) {
  MeasureReport report = sample_report();
  report.events_lost = 3;
  const auto json = measure_report_json(report);
  EXPECT_EQ(json["events_lost"], 3);
  EXPECT_NE(measure_report_text(report).find("3 events lost"), std::string::npos);
}

}  // namespace
}  // namespace bpfproc
