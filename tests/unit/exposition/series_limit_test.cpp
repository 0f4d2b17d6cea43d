#include "bpfproc/exposition/series_limit.h"

#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "bpfproc/exposition/text_writer.h"
#include "fixed_snapshot.h"

namespace bpfproc {
namespace {

// Sample lines of the exposition that carry group="NAME", or groupname="NAME" (compat).
std::size_t written_series(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  std::size_t count = 0;
  const std::string label = "group=\"" + name + "\"";
  const std::string compat_label = "groupname=\"" + name + "\"";
  for (std::string line; std::getline(lines, line);)
    if (!line.starts_with('#') && (line.find(label) != std::string::npos || line.find(compat_label) != std::string::npos))
      ++count;
  return count;
}

// The limit counts what the text writer writes: held to it for every collector combination and
// bucket layout.
TEST(SeriesLimit, CountsTheSeriesTheWriterWritesForEachGroup) {
  for (const bool memory : {false, true}) {
    for (const bool latency : {false, true}) {
      for (const bool compat : {false, true}) {
        for (const RunqueueBuckets& buckets :
             {RunqueueBuckets::defaults(), RunqueueBuckets::every_slot(), RunqueueBuckets::of_slots({4}), RunqueueBuckets{}}) {
          ExporterSnapshot snapshot = fixed_snapshot();
          snapshot.memory_enabled = memory;
          snapshot.runqueue_latency_enabled = latency;
          snapshot.process_exporter_compat = compat;
          snapshot.runqueue_latency_buckets = buckets;
          const std::string text = exposition_text(snapshot, kReader);
          for (const GroupTotals& group : snapshot.groups)
            EXPECT_EQ(group_series(snapshot, group), written_series(text, group.name))
                << group.name << " memory " << memory << " latency " << latency << " compat " << compat << " buckets "
                << buckets.to_string();
        }
      }
    }
  }
}

// What the issue asked for: a histogram costs 14 series per group by default, not 26.
TEST(SeriesLimit, TheDefaultHistogramIsFourteenSeriesPerGroup) {
  ExporterSnapshot snapshot = fixed_snapshot();
  const GroupTotals& nginx = snapshot.groups.back();
  snapshot.runqueue_latency_enabled = false;
  const std::size_t without = group_series(snapshot, nginx);
  snapshot.runqueue_latency_enabled = true;
  EXPECT_EQ(group_series(snapshot, nginx) - without, 14u);
  snapshot.runqueue_latency_buckets = RunqueueBuckets::every_slot();
  EXPECT_EQ(group_series(snapshot, nginx) - without, 26u);
}

GroupTotals group(const std::string& name, std::uint64_t runtime_ns) {
  GroupTotals totals;
  totals.name = name;
  totals.processes = 1;
  totals.counters.runtime_ns = runtime_ns;
  return totals;
}

TEST(SeriesLimit, KeepsTheBusiestGroupsWholeInNameOrder) {
  ExporterSnapshot snapshot;
  // 31 series each (30, and the oldest start time of a live group).
  snapshot.groups = {group("a", 5), group("b", 50), group("c", 1), group("d", 40), group("e", 0)};
  EXPECT_EQ(apply_series_limit(snapshot, 0), 0u) << "0: no limit";
  EXPECT_EQ(apply_series_limit(snapshot, 155), 0u) << "all five fit exactly";
  ASSERT_EQ(snapshot.groups.size(), 5u);

  EXPECT_EQ(apply_series_limit(snapshot, 100), 62u);  // room for three, not four
  ASSERT_EQ(snapshot.groups.size(), 3u);
  EXPECT_EQ(snapshot.groups[0].name, "a");
  EXPECT_EQ(snapshot.groups[1].name, "b");
  EXPECT_EQ(snapshot.groups[2].name, "d");
  EXPECT_EQ(snapshot.groups[1].counters.runtime_ns, 50u) << "kept groups are untouched";
}

}  // namespace
}  // namespace bpfproc
