// The remote_write body decoded again: the samples of /metrics, sorted labels with __name__,
// external labels that never override a series' own, histograms as _bucket/_sum/_count, the
// snapshot's timestamp, and stale markers for series that vanished.
#include "bpfproc/push/write_request_encoder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "bpfproc/exposition/text_writer.h"
#include "exposition/fixed_snapshot.h"

namespace bpfproc {
namespace {

constexpr std::int64_t kTimestamp = 1'700'000'000'123;

std::string label(const SeriesLabels& labels, std::string_view name) {
  for (const auto& [label_name, value] : labels)
    if (label_name == name) return value;
  return "";
}

std::vector<DecodedSample> decoded(const PushBatch& batch) {
  auto samples = decode_write_request(batch.body);
  EXPECT_TRUE(samples) << samples.error().message();
  return samples ? *samples : std::vector<DecodedSample>{};
}

TEST(WriteRequestEncoder, RoundTripsEverySampleWithSortedLabels) {
  WriteRequestEncoder encoder(SeriesLabels{{"datacenter", "eu-1"}, {"instance", "host-a"}});
  const ExporterSnapshot snapshot = fixed_snapshot();
  const PushBatch batch = encoder.encode(snapshot, kReader, kTimestamp);
  const std::vector<DecodedSample> samples = decoded(batch);

  const std::string text = exposition_text(snapshot, kReader);
  std::size_t text_samples = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) text_samples += line.starts_with('#') ? 0 : 1;
  EXPECT_EQ(samples.size(), batch.samples);
  EXPECT_EQ(samples.size(), text_samples);
  EXPECT_EQ(encoder.last_stale_markers(), 0u);

  for (const DecodedSample& sample : samples) {
    EXPECT_EQ(sample.timestamp_ms, kTimestamp);
    EXPECT_TRUE(std::is_sorted(sample.labels.begin(), sample.labels.end(),
                               [](const auto& a, const auto& b) { return a.first < b.first; }));
    EXPECT_FALSE(label(sample.labels, "__name__").empty());
    EXPECT_EQ(label(sample.labels, "instance"), "host-a");
    EXPECT_EQ(label(sample.labels, "datacenter"), "eu-1");
  }
  // The values are the exposition's: nginx's user CPU, 10 s.
  const auto cpu = std::find_if(samples.begin(), samples.end(), [](const DecodedSample& sample) {
    return label(sample.labels, "__name__") == "bpfproc_group_cpu_seconds_total" &&
           label(sample.labels, "group") == "nginx" && label(sample.labels, "mode") == "user";
  });
  ASSERT_NE(cpu, samples.end());
  EXPECT_DOUBLE_EQ(cpu->value, 10.0);
  EXPECT_NE(text.find("bpfproc_group_cpu_seconds_total{group=\"nginx\",mode=\"user\"} 10\n"), std::string::npos);

  // A histogram arrives as its series: buckets with le (the last +Inf), _sum and _count.
  std::map<std::string, int> parts;
  std::string last_le;
  for (const DecodedSample& sample : samples) {
    const std::string name = label(sample.labels, "__name__");
    if (!name.starts_with("bpfproc_exporter_collector_duration_seconds") || label(sample.labels, "collector") != "tasks")
      continue;
    ++parts[name];
    if (name.ends_with("_bucket")) last_le = label(sample.labels, "le");
  }
  EXPECT_EQ(parts["bpfproc_exporter_collector_duration_seconds_count"], 1);
  EXPECT_EQ(parts["bpfproc_exporter_collector_duration_seconds_sum"], 1);
  EXPECT_EQ(parts["bpfproc_exporter_collector_duration_seconds_bucket"],
            static_cast<int>(CollectorStatus::kBuckets.size()) + 1);
  EXPECT_EQ(last_le, "+Inf");
}

TEST(WriteRequestEncoder, ExternalLabelsNeverOverrideASeriesOwn) {
  // Every group series has a group label; an external "group" must not replace it.
  WriteRequestEncoder encoder(SeriesLabels{{"group", "external"}});
  const std::vector<DecodedSample> samples = decoded(encoder.encode(fixed_snapshot(), kReader, kTimestamp));
  const auto nginx = std::count_if(samples.begin(), samples.end(),
                                   [](const DecodedSample& sample) { return label(sample.labels, "group") == "nginx"; });
  EXPECT_GT(nginx, 10);
  for (const DecodedSample& sample : samples)
    EXPECT_EQ(std::count_if(sample.labels.begin(), sample.labels.end(),
                            [](const auto& pair) { return pair.first == "group"; }),
              1);
}

TEST(WriteRequestEncoder, MarksVanishedSeriesStaleOnce) {
  WriteRequestEncoder encoder(SeriesLabels{{"instance", "host-a"}});
  ExporterSnapshot snapshot = fixed_snapshot();
  ASSERT_GE(snapshot.groups.size(), 2u);
  (void)encoder.encode(snapshot, kReader, kTimestamp);

  const std::string removed = snapshot.groups.back().name;
  snapshot.groups.pop_back();  // the group was retired
  const PushBatch second = encoder.encode(snapshot, kReader, kTimestamp + 15000);
  const std::vector<DecodedSample> samples = decoded(second);
  std::size_t stale = 0;
  for (const DecodedSample& sample : samples) {
    if (!is_stale_nan(sample.value)) {
      EXPECT_NE(label(sample.labels, "group"), removed);
      continue;
    }
    ++stale;
    EXPECT_EQ(label(sample.labels, "group"), removed);
    EXPECT_EQ(label(sample.labels, "instance"), "host-a");
    EXPECT_EQ(sample.timestamp_ms, kTimestamp + 15000);
  }
  EXPECT_GT(stale, 0u);
  EXPECT_EQ(stale, encoder.last_stale_markers());

  // Once marked, the series is not marked again.
  (void)encoder.encode(snapshot, kReader, kTimestamp + 30000);
  EXPECT_EQ(encoder.last_stale_markers(), 0u);
}

TEST(WriteRequestEncoder, StaleMarkerIsPrometheusStaleNaN) {
  EXPECT_TRUE(std::isnan(stale_nan()));
  EXPECT_TRUE(is_stale_nan(stale_nan()));
  EXPECT_FALSE(is_stale_nan(std::nan("")));
}

TEST(WriteRequestEncoder, RefusesBodiesThatAreNotWriteRequests) {
  EXPECT_FALSE(decode_write_request("not snappy"));
}

TEST(SeriesKey, RoundTripsLabels) {
  std::string key;
  append_series_key(key, "__name__", "x");
  append_series_key(key, "group", "a b=\"c\"");
  append_series_key(key, "le", "");
  const SeriesLabels labels = labels_of_series_key(key);
  EXPECT_EQ(labels, (SeriesLabels{{"__name__", "x"}, {"group", "a b=\"c\""}, {"le", ""}}));
}

}  // namespace
}  // namespace bpfproc
