#include "bpfproc/accounting/latency_quantile.h"

#include <algorithm>
#include <cmath>

namespace bpfproc {

std::uint64_t latency_quantile_upper_bound_ns(const RunqueueLatency& latency, double quantile, std::uint64_t max_ns) {
  const std::uint64_t total = latency.count();
  if (total == 0) return 0;
  // The rank of the wait at the quantile, counting from 1: the 50th of 100 waits for p50.
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(quantile * static_cast<double>(total))));
  std::uint64_t cumulative = 0;
  for (std::size_t slot = 0; slot + 1 < RunqueueLatency::kSlots; ++slot) {
    cumulative += latency.slots[slot];
    if (cumulative >= rank) return std::min(RunqueueLatency::slot_upper_bound_ns(slot), max_ns);
  }
  return max_ns;  // the overflow slot has no upper bound but the longest wait
}

}  // namespace bpfproc
