#pragma once
// Quantiles of a run-queue latency histogram. The slots are log2, so a quantile is only known to
// lie within its slot: what is reported is the slot's upper bound, which is at most twice the
// true value, capped at the exact maximum wait.
#include <cstdint>

#include "bpfproc/accounting/counters.h"

namespace bpfproc {

// The upper bound in ns of the slot where the cumulative count reaches `quantile` of all waits
// (0 < quantile <= 1), or `max_ns` when that is lower (always, for the last slot, which has no
// bound). Zero when there were no waits.
std::uint64_t latency_quantile_upper_bound_ns(const RunqueueLatency& latency, double quantile, std::uint64_t max_ns);

}  // namespace bpfproc
