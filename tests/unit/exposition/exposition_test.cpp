// The exposition of a fixed snapshot, compared with tests/golden/exposition.prom.
// After an intended change, regenerate the golden file with scripts/update-golden and review the diff.
#include "bpfproc/exposition/exposition.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "bpfproc/util/whole_file.h"

namespace bpfproc {
namespace {

// The golden file was written with 4 scrapes served.
constexpr ReaderCounts kReader{.scrapes = 4};

ExporterSnapshot fixed_snapshot() {
  ExporterSnapshot snapshot;
  GroupTotals nginx;
  nginx.name = "nginx";
  nginx.processes = 3;
  nginx.threads = 5;
  nginx.counters = {12'500'000'000, 10'000'000'000, 2'500'000'000, 4200, 310, 77, 1'250'000'000, 4510, {}};
  // 3 waits of <= 1.024 µs, 2 of <= 4.096 µs, 1 of <= 4.194 ms, 1 longer than 4.29 s.
  nginx.counters.runqueue_latency.slots[0] = 3;
  nginx.counters.runqueue_latency.slots[2] = 2;
  nginx.counters.runqueue_latency.slots[12] = 1;
  nginx.counters.runqueue_latency.slots.back() = 1;
  nginx.counters.runqueue_latency.sum_ns = 5'004'000'000;
  nginx.exits = 2;
  nginx.has_memory = true;
  nginx.memory = {30 << 20, 12 << 20, 8 << 20, 3 << 20, 1 << 20, 9 << 20, 0, 0};
  nginx.oldest_start_ns = 1'000'000'000;
  GroupTotals gone;  // every member exited: counters stay, gauges go to zero, no memory
  gone.name = "make";
  gone.counters = {2'000'000'000, 1'500'000'000, 500'000'000, 10, 2, 1, 3'000'000, 12, {}};
  gone.exits = 40;
  snapshot.groups = {gone, nginx};
  snapshot.memory_enabled = true;
  snapshot.runqueue_latency_enabled = true;
  snapshot.boot_time_unix_seconds = 1'790'000'000;
  snapshot.self = SelfMetrics{1.25, 24 << 20, 300 << 20, 12, 1024, 1'790'000'100, 4};
  snapshot.build = {"0.1.0", "abcdef123456", "1.1.2", "6.18.0"};
  CollectorStatus tasks;
  tasks.name = "tasks";
  tasks.bucket_counts = {1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  tasks.count = 4;
  tasks.sum_seconds = 0.0125;
  tasks.cpu_seconds = 0.011;
  tasks.success = true;
  tasks.last_run_unix_seconds = 1'790'000'200;
  CollectorStatus memory;
  memory.name = "memory";
  memory.bucket_counts = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  memory.count = 1;
  memory.sum_seconds = 0.02;
  memory.errors = 1;
  memory.last_run_unix_seconds = 1'790'000'150;
  snapshot.collectors = {tasks, memory};
  snapshot.events_lost = {{"ringbuf_full", 0}, {"task_storage", 0}, {"exit_unobserved", 3}};
  snapshot.bpf_programs = {{"handle_switch", 1000, 45'000}, {"handle_wakeup", 400, 9'000}};
  snapshot.tracked_processes = 120;
  snapshot.cpu_cores = 2;
  return snapshot;
}

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
  EXPECT_NE(text.find(prefix + "1.024e-06\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find(prefix + "4.096e-06\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find(prefix + "0.004194304\"} 6\n"), std::string::npos);
  EXPECT_NE(text.find(prefix + "4.294967296\"} 6\n"), std::string::npos);
  EXPECT_NE(text.find(prefix + "+Inf\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("bpfproc_group_runqueue_latency_seconds_count{group=\"nginx\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("bpfproc_group_runqueue_latency_seconds_sum{group=\"nginx\"} 5.004\n"), std::string::npos);
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
  EXPECT_EQ(text.find("bpfproc_group_memory_bytes{"), std::string::npos);
  EXPECT_NE(text.find("bpfproc_group_cpu_seconds_total{group=\"nginx\",mode=\"user\"} 10"), std::string::npos);
}

}  // namespace
}  // namespace bpfproc
