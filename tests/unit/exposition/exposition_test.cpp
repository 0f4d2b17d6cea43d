// The exposition of a fixed snapshot, compared with tests/golden/exposition.prom.
// After an intended change, regenerate the golden file with scripts/update-golden and review the diff.
#include "bpfproc/exposition/exposition.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "bpfproc/util/whole_file.h"
#include "exposition/fixed_snapshot.h"

namespace bpfproc {
namespace {

TEST(Exposition, MatchesTheGoldenFile) {
  const std::string text = prometheus::TextSerializer().Serialize(build_exposition(fixed_snapshot(), kReader));
  const std::string path = std::string(BPFPROC_GOLDEN_DIR) + "/exposition.prom";
  if (const char* update = std::getenv("BPFPROC_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream(path) << text;
  }
  auto expected = read_whole_file(path);
  ASSERT_TRUE(expected) << expected.error().message() << "; run scripts/update-golden";
  EXPECT_EQ(text, *expected);
}

TEST(Exposition, SeriesCountIncludesEveryPrintedSample) {
  const auto families = build_exposition(fixed_snapshot(), kReader);
  const std::string text = prometheus::TextSerializer().Serialize(families);
  std::size_t sample_lines = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != '#') ++sample_lines;
  EXPECT_NE(text.find("bpfproc_exporter_series " + std::to_string(sample_lines) + "\n"), std::string::npos)
      << "expected the series gauge to say " << sample_lines;
}

TEST(Exposition, RunqueueLatencyBucketsAreCumulativeWithLeInSeconds) {
  const std::string text = prometheus::TextSerializer().Serialize(build_exposition(fixed_snapshot(), kReader));
  const std::string prefix = "bpfproc_group_runqueue_latency_seconds_bucket{group=\"nginx\",le=\"";
  // The default buckets start at 2^12 ns: the waits of slots 0 and 2 are both in the first.
  EXPECT_EQ(text.find(prefix + "1.024e-06\""), std::string::npos) << text;
  EXPECT_NE(text.find(prefix + "4.096e-06\"} 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find(prefix + "0.004194304\"} 6\n"), std::string::npos);
  EXPECT_NE(text.find(prefix + "1.073741824\"} 6\n"), std::string::npos);
  EXPECT_NE(text.find(prefix + "+Inf\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("bpfproc_group_runqueue_latency_seconds_count{group=\"nginx\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("bpfproc_group_runqueue_latency_seconds_sum{group=\"nginx\"} 5.004\n"), std::string::npos);
}

TEST(Exposition, RunqueueLatencyBucketsAreTheSnapshotsOwn) {
  ExporterSnapshot snapshot = fixed_snapshot();
  snapshot.runqueue_latency_buckets = RunqueueBuckets::of_slots({0, 13, 22});
  const std::string text = prometheus::TextSerializer().Serialize(build_exposition(snapshot, kReader));
  const std::string prefix = "bpfproc_group_runqueue_latency_seconds_bucket{group=\"nginx\",le=\"";
  EXPECT_NE(text.find(prefix + "1.024e-06\"} 3\n" + prefix + "0.008388608000000001\"} 6\n" + prefix +
                      "4.294967296\"} 6\n" + prefix + "+Inf\"} 7\n"),
            std::string::npos)
      << text;
}

TEST(Exposition, RunqueueLatencyIsLeftOutWhenItsCollectorIsOff) {
  ExporterSnapshot snapshot = fixed_snapshot();
  snapshot.runqueue_latency_enabled = false;
  const std::string text = prometheus::TextSerializer().Serialize(build_exposition(snapshot, kReader));
  EXPECT_EQ(text.find("bpfproc_group_runqueue_latency_seconds"), std::string::npos);
  EXPECT_NE(text.find("bpfproc_group_runqueue_wait_seconds_total{group=\"nginx\"}"), std::string::npos);
}

TEST(Exposition, BpfProgramStatisticsOnlyWhenCollected) {
  ExporterSnapshot snapshot = fixed_snapshot();
  std::string text = prometheus::TextSerializer().Serialize(build_exposition(snapshot, kReader));
  EXPECT_NE(text.find("bpfproc_exporter_bpf_program_runs_total{program=\"handle_switch\"} 1000\n"), std::string::npos);
  EXPECT_NE(text.find("bpfproc_exporter_bpf_program_run_seconds_total{program=\"handle_switch\"} 4.5e-05\n"),
            std::string::npos);
  snapshot.bpf_programs.clear();
  text = prometheus::TextSerializer().Serialize(build_exposition(snapshot, kReader));
  EXPECT_EQ(text.find("bpfproc_exporter_bpf_program"), std::string::npos);
}

TEST(Exposition, MemoryIsLeftOutWhenItsCollectorIsOff) {
  ExporterSnapshot snapshot = fixed_snapshot();
  snapshot.memory_enabled = false;
  const std::string text = prometheus::TextSerializer().Serialize(build_exposition(snapshot, kReader));
  // The kinds from smaps_rollup go; resident and virtual come from the task walk and stay.
  EXPECT_EQ(text.find("kind=\"pss\""), std::string::npos);
  EXPECT_EQ(text.find("kind=\"rss\""), std::string::npos);
  EXPECT_NE(text.find("bpfproc_group_memory_bytes{group=\"nginx\",kind=\"resident\"} 29360128"), std::string::npos);
  EXPECT_NE(text.find("bpfproc_group_cpu_seconds_total{group=\"nginx\",mode=\"user\"} 10"), std::string::npos);
}

}  // namespace
}  // namespace bpfproc
