// The direct text writer against the golden file, and against prometheus-cpp's TextSerializer of
// build_exposition for snapshots the golden file does not cover: hostile label values, awkward
// numbers, collectors switched off.
#include "bpfproc/exposition/text_writer.h"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "bpfproc/util/whole_file.h"
#include "exposition/fixed_snapshot.h"

namespace bpfproc {
namespace {

std::string through_metric_families(const ExporterSnapshot& snapshot) {
  return prometheus::TextSerializer().Serialize(build_exposition(snapshot, kReader));
}

TEST(TextWriter, MatchesTheGoldenFile) {
  auto expected = read_whole_file(std::string(BPFPROC_GOLDEN_DIR) + "/exposition.prom");
  ASSERT_TRUE(expected) << expected.error().message();
  EXPECT_EQ(exposition_text(fixed_snapshot(), kReader), *expected);
}

TEST(TextWriter, EscapesLabelValuesAsTextSerializerDoes) {
  ExporterSnapshot snapshot = fixed_snapshot();
  snapshot.groups[0].name = "back\\slash \"quoted\"\nnew line";
  snapshot.groups[1].name = "";
  GroupTotals utf8;
  utf8.name = "caf\xc3\xa9 \\\\ \"\" \n\n {},=";
  utf8.processes = 1;
  snapshot.groups.push_back(utf8);
  snapshot.build.kernel = "6.18\"rc\\1\n";
  snapshot.collectors[0].name = "ta\"sks";
  snapshot.events_lost["weird\\source"] = 5;
  const std::string text = exposition_text(snapshot, kReader);
  EXPECT_NE(text.find("group=\"back\\\\slash \\\"quoted\\\"\\nnew line\""), std::string::npos) << text;
  EXPECT_EQ(text, through_metric_families(snapshot));
}

TEST(TextWriter, FormatsNumbersAsTextSerializerDoes) {
  ExporterSnapshot snapshot = fixed_snapshot();
  std::mt19937_64 random(42);  // fixed seed: the same numbers on every run
  const std::uint64_t edges[] = {0, 1, 9, 10, 999'999'999, 1'000'000'000, 1'000'000'001,
                                 (std::uint64_t{1} << 53) + 1, std::numeric_limits<std::uint64_t>::max()};
  for (int index = 0; index < 200; ++index) {
    GroupTotals group;
    group.name = "g" + std::to_string(index);
    auto next = [&] { return index < 9 ? edges[index] : random() >> (random() % 64); };
    group.processes = next();
    group.threads = next();
    group.exits = next();
    group.counters.user_ns = next();
    group.counters.system_ns = next();
    group.counters.run_delay_ns = next();
    group.counters.migrations = next();
    for (auto& slot : group.counters.runqueue_latency.slots) slot = random() % 1000;
    group.counters.runqueue_latency.sum_ns = next();
    group.has_memory = index % 2 == 0;
    group.memory.rss = next();
    group.oldest_start_ns = next();
    snapshot.groups.push_back(group);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double infinity = std::numeric_limits<double>::infinity();
  snapshot.self = SelfMetrics{0.1, 1e21, -0.0, nan, infinity, -infinity, 1.0 / 3.0};
  snapshot.collectors[0].sum_seconds = 123456789.123456789;
  snapshot.collectors[1].cpu_seconds = 5e-324;
  EXPECT_EQ(exposition_text(snapshot, kReader), through_metric_families(snapshot));
}

// --group.cgroup-label: one more label on every group series, after subgroup, absent when empty;
// the same groups split by it are distinct series.
TEST(TextWriter, TheCgroupLabelFollowsTheGroupOnEverySeries) {
  ExporterSnapshot snapshot = fixed_snapshot();
  for (GroupTotals& group : snapshot.groups) {
    group.cgroup_label_name = "unit";
    group.cgroup_label = group.name + ".service";
  }
  GroupTotals other = snapshot.groups.back();
  other.cgroup_label = "other.service";
  snapshot.groups.push_back(other);
  snapshot.groups.front().cgroup_label.clear();  // a member in no unit: no label
  const std::string text = exposition_text(snapshot, kReader);
  const std::string& name = snapshot.groups.back().name;
  EXPECT_NE(text.find("bpfproc_group_processes{group=\"" + name + "\",unit=\"" + name + ".service\"}"),
            std::string::npos) << text;
  EXPECT_NE(text.find("bpfproc_group_processes{group=\"" + name + "\",unit=\"other.service\"}"), std::string::npos);
  EXPECT_EQ(text, through_metric_families(snapshot));
  snapshot.process_exporter_compat = true;
  EXPECT_NE(exposition_text(snapshot, kReader)
                .find("namedprocess_namegroup_num_procs{groupname=\"" + name + "\",unit=\"other.service\"}"),
            std::string::npos);
}

TEST(TextWriter, MatchesTextSerializerWithCollectorsOff) {
  ExporterSnapshot snapshot = fixed_snapshot();
  snapshot.memory_enabled = false;
  snapshot.runqueue_latency_enabled = false;
  snapshot.self.reset();
  snapshot.bpf_programs.clear();
  snapshot.events_lost.clear();
  EXPECT_EQ(exposition_text(snapshot, kReader), through_metric_families(snapshot));
  snapshot.groups.clear();
  snapshot.collectors.clear();
  EXPECT_EQ(exposition_text(snapshot, kReader), through_metric_families(snapshot));
}

TEST(TextWriter, MatchesTextSerializerWithOtherBuckets) {
  ExporterSnapshot snapshot = fixed_snapshot();
  for (const RunqueueBuckets& buckets :
       {RunqueueBuckets::every_slot(), RunqueueBuckets::of_slots({0, 13, 22}), RunqueueBuckets{}}) {
    snapshot.runqueue_latency_buckets = buckets;
    EXPECT_EQ(exposition_text(snapshot, kReader), through_metric_families(snapshot)) << buckets.to_string();
  }
}

TEST(TextWriter, ReusesTheCallersBuffer) {
  std::string text = "left over from the last scrape";
  write_exposition_text(fixed_snapshot(), kReader, text);
  EXPECT_EQ(text, exposition_text(fixed_snapshot(), kReader));
}

}  // namespace
}  // namespace bpfproc
