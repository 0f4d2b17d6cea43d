#pragma once
// The groups under process-exporter 0.7.10's names and labels (--compat.process-exporter), so
// that its dashboards and alerts keep working: namedprocess_namegroup_* with label groupname,
// from the same snapshot as bpfproc's own families. Numbers are bpfproc's: CPU is exact, not in
// ticks, and counters count short-lived processes too.
#include <cstddef>

#include "bpfproc/exposition/text_format.h"
#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

void write_compat_families(const ExporterSnapshot& snapshot, TextWriter& writer);

// The series write_compat_families writes for one group (0 when compat is off).
std::size_t compat_group_series(const ExporterSnapshot& snapshot, const GroupTotals& group);

}  // namespace bpfproc
