// --runqueue-latency.buckets: parsing, rounding up to the kernel's slot bounds, and the cumulative
// counts of the buckets kept.
#include "bpfproc/accounting/runqueue_buckets.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

constexpr std::string_view kDefaultList =
    "0.000004096,0.000016384,0.000065536,0.000262144,0.001048576,0.004194304,0.008388608,0.016777216,"
    "0.067108864,0.268435456,1.073741824";

// The slots whose bounds are buckets, lowest first.
std::vector<std::size_t> slots_of(const RunqueueBuckets& buckets) {
  std::vector<std::size_t> slots;
  for (std::size_t slot = 0; slot < RunqueueBuckets::kBoundedSlots; ++slot)
    if (buckets.ends_at(slot)) slots.push_back(slot);
  return slots;
}

ParsedRunqueueBuckets parsed(std::string_view list) {
  auto result = parse_runqueue_buckets(list);
  EXPECT_TRUE(result) << list << ": " << result.error().message();
  return result ? *result : ParsedRunqueueBuckets{};
}

TEST(RunqueueBuckets, DefaultIsElevenBucketsFrom4MicrosecondsTo1Second) {
  const RunqueueBuckets defaults = RunqueueBuckets::defaults();
  EXPECT_EQ(defaults.size(), 11u) << "with +Inf, _sum and _count: 14 series per group";
  EXPECT_EQ(defaults.to_string(), kDefaultList);
  EXPECT_EQ(RunqueueBuckets::every_slot().size(), 23u) << "the 26 series per group of every slot bound";
  // The default as --help shows it parses back to itself, silently.
  const ParsedRunqueueBuckets again = parsed(kDefaultList);
  EXPECT_EQ(again.buckets, defaults);
  EXPECT_EQ(again.warning, "");
}

TEST(RunqueueBuckets, SlotBoundsAreKeptAsTheyAreWrittenEitherWay) {
  // Exact decimals, and the le text a scrape shows (a double printed to 16 digits).
  const ParsedRunqueueBuckets exact = parsed("0.000001024, 8.192000000000001e-06,0.008388608000000001,4.294967296");
  EXPECT_EQ(slots_of(exact.buckets), (std::vector<std::size_t>{0, 3, 13, 22}));
  EXPECT_EQ(exact.warning, "");
}

TEST(RunqueueBuckets, OtherBoundsAreRoundedUpToTheNextSlotBoundAndSaidSo) {
  const ParsedRunqueueBuckets rounded = parsed("0.001,0.01,0.1");
  // 1e6 ns -> 2^20, 1e7 -> 2^24, 1e8 -> 2^27.
  EXPECT_EQ(slots_of(rounded.buckets), (std::vector<std::size_t>{10, 14, 17}));
  EXPECT_EQ(rounded.warning,
            "--runqueue-latency.buckets: the kernel counts waits at powers of two of nanoseconds, so these bounds "
            "were rounded up to the next one, which is the le exported: 0.001 -> 0.001048576; 0.01 -> 0.016777216; "
            "0.1 -> 0.134217728");
  EXPECT_EQ(slots_of(parsed("0.000001025").buckets), (std::vector<std::size_t>{1})) << "1 ns above slot 0's bound";
  EXPECT_EQ(slots_of(parsed("1e-10").buckets), (std::vector<std::size_t>{0})) << "below 1 ns: the first slot";
  EXPECT_EQ(slots_of(parsed("+0.5").buckets), (std::vector<std::size_t>{19}));
}

TEST(RunqueueBuckets, BoundsThatRoundToOneSlotAreMerged) {
  const ParsedRunqueueBuckets merged = parsed("0.000004096,0.00001,0.000016,0.000016384,0.001");
  EXPECT_EQ(slots_of(merged.buckets), (std::vector<std::size_t>{2, 4, 10}));
  EXPECT_NE(merged.warning.find(": 0.00001, 0.000016, 0.000016384 -> 0.000016384; 0.001 -> 0.001048576"),
            std::string::npos)
      << merged.warning;
  EXPECT_EQ(merged.warning.find("0.000004096 ->"), std::string::npos) << "a slot bound alone is not moved";
}

TEST(RunqueueBuckets, BadListsNameTheFlagAndTheReason) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", "--runqueue-latency.buckets \"\": no bound given (expected increasing seconds, e.g. 0.001,0.01,0.1)"},
      {" ", "--runqueue-latency.buckets \" \": no bound given (expected increasing seconds, e.g. 0.001,0.01,0.1)"},
      {"abc", "--runqueue-latency.buckets abc: bound 1 \"abc\" is not a number of seconds"},
      {"0.001,10ms", "--runqueue-latency.buckets 0.001,10ms: bound 2 \"10ms\" is not a number of seconds"},
      {"nan", "--runqueue-latency.buckets nan: bound 1 \"nan\" is not a number of seconds"},
      {"0.001,,0.1", "--runqueue-latency.buckets 0.001,,0.1: bound 2 is empty"},
      {"0.001,", "--runqueue-latency.buckets 0.001,: bound 2 is empty"},
      {"0", "--runqueue-latency.buckets 0: bound 1 0: must be above 0"},
      {"-0.001", "--runqueue-latency.buckets -0.001: bound 1 -0.001: must be above 0"},
      {"0.1,0.01", "--runqueue-latency.buckets 0.1,0.01: bound 2 0.01: bounds must increase"},
      {"0.1,0.1", "--runqueue-latency.buckets 0.1,0.1: bound 2 0.1: bounds must increase"},
      {"1e-400", "--runqueue-latency.buckets 1e-400: bound 1 1e-400 is out of range"},
      {"0.1,4.294967297",
       "--runqueue-latency.buckets 0.1,4.294967297: bound 2 4.294967297: above 4.294967296 s, the largest bound the "
       "kernel counts at (longer waits are in +Inf, always there)"},
      {"1,+Inf",
       "--runqueue-latency.buckets 1,+Inf: bound 2 +Inf: above 4.294967296 s, the largest bound the kernel counts at "
       "(longer waits are in +Inf, always there)"},
  };
  for (const auto& [list, message] : cases) {
    auto result = parse_runqueue_buckets(list);
    ASSERT_FALSE(result) << list;
    EXPECT_EQ(result.error().message(), message);
  }
}

// A wait counted in slot i falls in every bucket whose bound is at least 2^(10+i) ns, and in none
// below: the first such bucket and all above it, cumulatively.
TEST(RunqueueBuckets, AWaitCountsFromTheFirstBucketWhoseBoundHoldsItsSlot) {
  for (const RunqueueBuckets& layout :
       {RunqueueBuckets::defaults(), RunqueueBuckets::every_slot(), RunqueueBuckets::of_slots({0, 7, 22}),
        RunqueueBuckets::of_slots({5}), RunqueueBuckets{}}) {
    for (std::size_t slot = 0; slot < RunqueueLatency::kSlots; ++slot) {
      RunqueueLatency latency;
      latency.slots[slot] = 1;
      RunqueueBuckets::Buckets buckets;
      const std::size_t finite = layout.cumulative(latency, buckets);
      ASSERT_EQ(finite, layout.size());
      for (std::size_t bucket = 0; bucket < finite; ++bucket) {
        if (bucket > 0) EXPECT_GT(buckets[bucket].upper_bound_ns, buckets[bucket - 1].upper_bound_ns);
        const bool holds = buckets[bucket].upper_bound_ns >= RunqueueLatency::slot_upper_bound_ns(slot);
        EXPECT_EQ(buckets[bucket].cumulative_count, holds ? 1u : 0u)
            << layout.to_string() << " slot " << slot << " bucket " << buckets[bucket].upper_bound_ns;
      }
    }
  }
}

TEST(RunqueueBuckets, CumulativeCountsAddUpEverySlotBelowTheBound) {
  RunqueueLatency latency;
  latency.slots[0] = 3;   // <= 1.024 µs
  latency.slots[3] = 4;   // <= 8.192 µs
  latency.slots[12] = 5;  // <= 4.194 ms
  latency.slots.back() = 6;  // overflow: only in +Inf (the count)
  RunqueueBuckets::Buckets buckets;
  ASSERT_EQ(RunqueueBuckets::of_slots({2, 4, 22}).cumulative(latency, buckets), 3u);
  EXPECT_EQ(buckets[0].upper_bound_ns, 4096u);
  EXPECT_EQ(buckets[0].cumulative_count, 3u);
  EXPECT_EQ(buckets[1].upper_bound_ns, 16384u);
  EXPECT_EQ(buckets[1].cumulative_count, 7u);
  EXPECT_EQ(buckets[2].upper_bound_ns, 4294967296u);
  EXPECT_EQ(buckets[2].cumulative_count, 12u);
  EXPECT_EQ(latency.count(), 18u);
}

}  // namespace
}  // namespace bpfproc
