#pragma once
// A cap on the series the groups make. Any local user can make groups: with the default config
// (one group per comm) one loop renaming 5,000 processes made 182,111 series, a 13 MB scrape. The
// cap keeps the groups that used the most CPU, whole: a group is never cut mid-way, so every
// series of a group that is exported is right, and the others are absent, not wrong.
#include <cstddef>

#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

// The series the exposition writes for one group of this snapshot (text_writer.cpp).
std::size_t group_series(const ExporterSnapshot& snapshot, const GroupTotals& group);

// Drops whole groups, least CPU first, until the groups' series fit in `limit` (0: no limit).
// The groups kept stay in name order. Returns the series dropped.
std::size_t apply_series_limit(ExporterSnapshot& snapshot, std::size_t limit);

}  // namespace bpfproc
