#include "bpfproc/accounting/runqueue_buckets.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <system_error>
#include <vector>

namespace bpfproc {
namespace {

constexpr std::string_view kFlag = "--runqueue-latency.buckets";
constexpr std::uint64_t kNanosecondsPerSecond = 1'000'000'000;

// "0.000004096" for 4096 ns: exact, unlike a double printed to 16 digits (8.192000000000001e-06).
std::string decimal_seconds(std::uint64_t nanoseconds) {
  std::string fraction = std::to_string(nanoseconds % kNanosecondsPerSecond);
  fraction.insert(0, 9 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  std::string text = std::to_string(nanoseconds / kNanosecondsPerSecond);
  if (!fraction.empty()) text += "." + fraction;
  return text;
}

// The first slot whose bound is at least `nanoseconds`.
std::size_t slot_at_or_above(std::uint64_t nanoseconds) {
  const int ceil_log2 = nanoseconds <= 1 ? 0 : static_cast<int>(std::bit_width(nanoseconds - 1));
  return ceil_log2 <= RUNQUEUE_LATENCY_FIRST_LOG2 ? 0 : static_cast<std::size_t>(ceil_log2 - RUNQUEUE_LATENCY_FIRST_LOG2);
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

RunqueueBuckets RunqueueBuckets::of_slots(std::initializer_list<std::size_t> slots) {
  RunqueueBuckets buckets;
  for (const std::size_t slot : slots) buckets.slots_ |= bit(slot);
  return buckets;
}

RunqueueBuckets RunqueueBuckets::defaults() {
  // Slot i ends at 2^(10+i) ns: 2^12, 2^14, ..., 2^30 ns, and 2^23 ns.
  return of_slots({2, 4, 6, 8, 10, 12, 13, 14, 16, 18, 20});
}

RunqueueBuckets RunqueueBuckets::every_slot() {
  RunqueueBuckets buckets;
  buckets.slots_ = bit(kBoundedSlots) - 1;
  return buckets;
}

std::size_t RunqueueBuckets::size() const { return static_cast<std::size_t>(std::popcount(slots_)); }

std::size_t RunqueueBuckets::cumulative(const RunqueueLatency& latency, Buckets& buckets) const {
  std::size_t filled = 0;
  std::uint64_t count = 0;
  for (std::size_t slot = 0; slot < kBoundedSlots; ++slot) {
    count += latency.slots[slot];
    if (ends_at(slot)) buckets[filled++] = {RunqueueLatency::slot_upper_bound_ns(slot), count};
  }
  return filled;
}

std::string RunqueueBuckets::to_string() const {
  std::string text;
  for (std::size_t slot = 0; slot < kBoundedSlots; ++slot) {
    if (!ends_at(slot)) continue;
    if (!text.empty()) text += ',';
    text += decimal_seconds(RunqueueLatency::slot_upper_bound_ns(slot));
  }
  return text;
}

Result<ParsedRunqueueBuckets> parse_runqueue_buckets(std::string_view list) {
  // Quoted when blank, so that the message shows what was given.
  const std::string object =
      std::string(kFlag) + " " + (trimmed(list).empty() ? "\"" + std::string(list) + "\"" : std::string(list));
  if (trimmed(list).empty()) return Error{"no bound given (expected increasing seconds, e.g. 0.001,0.01,0.1)", object};
  const std::uint64_t largest_ns = RunqueueLatency::slot_upper_bound_ns(RunqueueBuckets::kBoundedSlots - 1);

  // The bounds asked for that end at each slot, as typed, and whether any of them was moved.
  std::vector<std::string_view> asked[RunqueueBuckets::kBoundedSlots];
  bool moved[RunqueueBuckets::kBoundedSlots] = {};
  double previous = 0;
  std::size_t position = 0;
  for (std::size_t start = 0; start <= list.size(); ++position) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string_view item = trimmed(list.substr(start, comma - start));
    start = comma + 1;
    const std::string which = "bound " + std::to_string(position + 1);
    if (item.empty()) return Error{which + " is empty", object};
    double seconds = 0;
    // from_chars takes no '+'; Prometheus writes "+Inf", which is then refused as above the largest.
    const char* first = item.data() + (item.starts_with('+') ? 1 : 0);
    const auto [end, error] = std::from_chars(first, item.data() + item.size(), seconds);
    if (error == std::errc::result_out_of_range) return Error{which + " " + std::string(item) + " is out of range", object};
    if (error != std::errc() || end != item.data() + item.size() || std::isnan(seconds))
      return Error{which + " \"" + std::string(item) + "\" is not a number of seconds", object};
    if (seconds <= 0) return Error{which + " " + std::string(item) + ": must be above 0", object};
    if (position > 0 && seconds <= previous)
      return Error{which + " " + std::string(item) + ": bounds must increase", object};
    previous = seconds;
    // To the nearest ns first: 0.008388608 s is 8388608 ns, though not in binary floating point.
    const double nanoseconds = seconds * static_cast<double>(kNanosecondsPerSecond);
    if (std::isinf(seconds) || nanoseconds >= static_cast<double>(largest_ns) + 0.5)
      return Error{which + " " + std::string(item) + ": above " + decimal_seconds(largest_ns) +
                       " s, the largest bound the kernel counts at (longer waits are in +Inf, always there)",
                   object};
    const auto rounded = static_cast<std::uint64_t>(std::llround(nanoseconds));
    const std::size_t slot = slot_at_or_above(rounded);
    asked[slot].push_back(item);
    moved[slot] = moved[slot] || rounded != RunqueueLatency::slot_upper_bound_ns(slot) || asked[slot].size() > 1;
  }

  ParsedRunqueueBuckets parsed;
  std::string changes;
  for (std::size_t slot = 0; slot < RunqueueBuckets::kBoundedSlots; ++slot) {
    if (asked[slot].empty()) continue;
    parsed.buckets.slots_ |= RunqueueBuckets::bit(slot);
    if (!moved[slot]) continue;
    changes += changes.empty() ? "" : "; ";
    for (std::size_t index = 0; index < asked[slot].size(); ++index)
      changes += (index == 0 ? "" : ", ") + std::string(asked[slot][index]);
    changes += " -> " + decimal_seconds(RunqueueLatency::slot_upper_bound_ns(slot));
  }
  if (!changes.empty())
    parsed.warning = std::string(kFlag) +
                     ": the kernel counts waits at powers of two of nanoseconds, so these bounds were rounded up "
                     "to the next one, which is the le exported: " +
                     changes;
  return parsed;
}

}  // namespace bpfproc
