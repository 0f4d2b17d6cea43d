#include "bpfproc/exposition/series_limit.h"

#include "bpfproc/exposition/compat_families.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace bpfproc {

std::size_t group_series(const ExporterSnapshot& snapshot, const GroupTotals& group) {
  // processes, threads, cpu (2 modes), exits, switches (2 kinds), migrations, run-queue wait,
  // timeslices, I/O bytes, chars and syscalls (2 directions each), page faults (2 kinds), memory
  // (resident and its 3 parts, virtual), open fds, worst fd ratio, threads by state (5); then what
  // depends on the group and the collectors, as write_group_families does.
  std::size_t series = 10 + 6 + 2 + 5 + 2 + 5;
  if (snapshot.memory_enabled && group.has_memory) series += 8;
  if (group.processes > 0) series += 1;  // oldest start time
  // A histogram: its finite buckets, +Inf, _sum and _count.
  if (snapshot.runqueue_latency_enabled) series += snapshot.runqueue_latency_buckets.size() + 3;
  series += 4 * group.thread_names.size();  // count, cpu, switches (2 kinds) per thread name
  for (const ProcessTotals& process : group.top_processes) series += snapshot.memory_enabled && process.has_memory ? 4 : 2;  // cpu, memory kinds
  return series + compat_group_series(snapshot, group);
}

std::size_t apply_series_limit(ExporterSnapshot& snapshot, std::size_t limit) {
  std::vector<GroupTotals>& groups = snapshot.groups;
  std::vector<std::size_t> series(groups.size());
  for (std::size_t index = 0; index < groups.size(); ++index) series[index] = group_series(snapshot, groups[index]);
  const std::size_t total = std::accumulate(series.begin(), series.end(), std::size_t{0});
  if (limit == 0 || total <= limit) return 0;

  std::vector<std::size_t> by_cpu(groups.size());
  std::iota(by_cpu.begin(), by_cpu.end(), std::size_t{0});
  // Ties (idle groups) by name, so that the same groups are kept from one scrape to the next.
  std::stable_sort(by_cpu.begin(), by_cpu.end(), [&](std::size_t a, std::size_t b) {
    return groups[a].counters.runtime_ns > groups[b].counters.runtime_ns;
  });
  std::vector<bool> keep(groups.size());
  std::size_t kept_series = 0;
  for (std::size_t index : by_cpu) {
    if (kept_series + series[index] > limit) continue;  // a smaller group further down may fit
    keep[index] = true;
    kept_series += series[index];
  }
  std::size_t kept = 0;
  for (std::size_t index = 0; index < groups.size(); ++index) {
    if (!keep[index]) continue;
    if (kept != index) groups[kept] = std::move(groups[index]);
    ++kept;
  }
  groups.resize(kept);
  return total - kept_series;
}

}  // namespace bpfproc
