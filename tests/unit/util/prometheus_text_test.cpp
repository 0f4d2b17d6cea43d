// Reading the text exposition back, as `bpfproc bench` does with the daemon's /metrics.
#include <gtest/gtest.h>

#include <cmath>

#include "bpfproc/util/prometheus_text.h"

namespace bpfproc {
namespace {

constexpr const char* kExposition =
    "# HELP bpfproc_group_cpu_seconds_total CPU time.\n"
    "# TYPE bpfproc_group_cpu_seconds_total counter\n"
    "bpfproc_group_cpu_seconds_total{group=\"burn\",mode=\"user\"} 1.5\n"
    "bpfproc_group_cpu_seconds_total{group=\"burn\",mode=\"system\"} 0.25\n"
    "bpfproc_group_cpu_seconds_total{group=\"a \\\"quoted\\\" \\\\ name\\n\",mode=\"user\"} 7\n"
    "\n"
    "bpfproc_exporter_scrapes_total 42 1700000000000\n"
    "exposer_request_latencies{quantile=\"0.5\"} Nan\n"
    "bpfproc_exporter_collector_duration_seconds_bucket{collector=\"tasks\",le=\"+Inf\"} 3\n"
    "broken{label=\"unterminated} 1\n"
    "no_value\n";

TEST(PrometheusTextTest, ParsesSamplesAndSkipsTheRest) {
  const auto samples = parse_prometheus_text(kExposition);
  ASSERT_EQ(samples.size(), 6u);
  EXPECT_EQ(samples[0].name, "bpfproc_group_cpu_seconds_total");
  EXPECT_EQ(samples[0].labels.at("group"), "burn");
  EXPECT_EQ(samples[0].labels.at("mode"), "user");
  EXPECT_DOUBLE_EQ(samples[0].value, 1.5);
  EXPECT_EQ(samples[2].labels.at("group"), "a \"quoted\" \\ name\n");
  EXPECT_DOUBLE_EQ(samples[3].value, 42) << "the timestamp is not the value";
  EXPECT_TRUE(std::isnan(samples[4].value));
  EXPECT_EQ(samples[5].labels.at("le"), "+Inf");
}

TEST(PrometheusTextTest, SumsTheSamplesWhoseLabelsMatch) {
  const auto samples = parse_prometheus_text(kExposition);
  EXPECT_DOUBLE_EQ(*sum_samples(samples, "bpfproc_group_cpu_seconds_total", {{"group", "burn"}}), 1.75);
  EXPECT_DOUBLE_EQ(*sum_samples(samples, "bpfproc_group_cpu_seconds_total", {{"group", "burn"}, {"mode", "system"}}),
                   0.25);
  EXPECT_DOUBLE_EQ(*sum_samples(samples, "bpfproc_group_cpu_seconds_total"), 8.75);
  EXPECT_FALSE(sum_samples(samples, "bpfproc_group_cpu_seconds_total", {{"group", "nope"}}).has_value());
  EXPECT_FALSE(sum_samples(samples, "absent").has_value());
}

}  // namespace
}  // namespace bpfproc
