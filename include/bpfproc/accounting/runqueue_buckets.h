#pragma once
// Which of the kernel's run-queue latency slots the exported histogram keeps as buckets
// (--runqueue-latency.buckets). The kernel counts waits in log2 slots (counters.h); a Prometheus
// bucket can only end where a slot ends, or its count would include waits above its `le`. Every
// slot bound as a bucket is 26 series per group; the default keeps 11 of them, 14 series.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "bpfproc/accounting/counters.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct ParsedRunqueueBuckets;

class RunqueueBuckets {
 public:
  // Every slot but the last (the overflow, counted only in +Inf) has a bound.
  static constexpr std::size_t kBoundedSlots = RunqueueLatency::kSlots - 1;

  struct Bucket {
    std::uint64_t upper_bound_ns;
    std::uint64_t cumulative_count;
  };
  using Buckets = std::array<Bucket, kBoundedSlots>;

  // 4.1 µs to 1.07 s, every other power of two of ns, and 8.4 ms, which halves the 4 to 16 ms step
  // where waits behind another task's timeslice fall at HZ=250 (three spinning threads on two CPUs
  // here: 49-56% of their waits were between 4.2 and 8.4 ms, in three runs).
  static RunqueueBuckets defaults();
  static RunqueueBuckets every_slot();
  // Buckets ending at the given slots (each < kBoundedSlots).
  static RunqueueBuckets of_slots(std::initializer_list<std::size_t> slots);

  std::size_t size() const;  // finite buckets; +Inf is always there besides them
  bool ends_at(std::size_t slot) const { return (slots_ & bit(slot)) != 0; }  // slot's bound is an le
  // Fills the first size() entries of `buckets`, in increasing order of bound: each counts the
  // waits of every slot up to its own, so a wait in slot i falls in the first bucket whose bound
  // is at least 2^(10+i) ns. Returns size().
  std::size_t cumulative(const RunqueueLatency& latency, Buckets& buckets) const;
  // The bounds as the flag takes them: seconds, exact decimals, comma-separated.
  std::string to_string() const;
  bool operator==(const RunqueueBuckets&) const = default;

 private:
  friend Result<ParsedRunqueueBuckets> parse_runqueue_buckets(std::string_view list);
  static constexpr std::uint32_t bit(std::size_t slot) { return std::uint32_t{1} << slot; }
  static_assert(kBoundedSlots <= 32);
  std::uint32_t slots_ = 0;  // bit i: slot i's bound is a bucket's
};

struct ParsedRunqueueBuckets {
  RunqueueBuckets buckets;
  // Empty when every bound was a slot bound; else one line saying which bounds were rounded up
  // or merged, to be logged at start.
  std::string warning;
};

// The value of --runqueue-latency.buckets: increasing seconds, comma-separated. Each bound is
// rounded up to the nearest slot bound (a power of two of ns, 1.024 µs to 4.29 s), which is then
// the exported `le`: no wait is ever counted under a bound below it. Bounds that round to the same
// slot become one bucket. The error names the flag and the first bad bound.
Result<ParsedRunqueueBuckets> parse_runqueue_buckets(std::string_view list);

}  // namespace bpfproc
