#pragma once
// One collection's result: everything a reader (/metrics, /health, once, push) needs, immutable
// once published (see snapshot_publisher.h).
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bpfproc/accounting/runqueue_buckets.h"
#include "bpfproc/grouping/group_totals.h"
#include "bpfproc/kernel/program_stats.h"
#include "bpfproc/procfs/self_metrics.h"
#include "bpfproc/snapshot/host_metrics.h"

namespace bpfproc {

struct CollectorStatus {
  // Upper bounds of bpfproc_exporter_collector_duration_seconds, in seconds.
  static constexpr std::array<double, 11> kBuckets{0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                   0.25,  0.5,   1.0,  2.5,   5.0};
  std::string name;
  std::array<std::uint64_t, kBuckets.size()> bucket_counts{};  // not cumulative
  std::uint64_t count = 0;
  double sum_seconds = 0;
  double cpu_seconds = 0;  // CPU time of all runs, from the running thread's own clock
  std::uint64_t errors = 0;
  bool success = false;
  double last_run_unix_seconds = 0;  // 0 until the first run
};

// The memory refresher's data and what it cost (collectors/memory_refresher.h).
struct MemoryRefresherStatus {
  double age_max_seconds = 0;     // over the live grouped processes it reads
  double age_median_seconds = 0;
  std::uint64_t reads = 0;        // smaps_rollup reads made
  double read_cpu_seconds = 0;    // their CPU time, from the reading thread's clock
  std::map<std::string, std::uint64_t> skipped;  // reads not made, by reason
};

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string libbpf_version;
  std::string kernel;
};

struct ExporterSnapshot {
  std::uint64_t generation = 0;  // 1 for the first published snapshot, then +1 each
  std::chrono::steady_clock::time_point collected_at;  // when its collection finished
  std::vector<GroupTotals> groups;
  std::vector<HostFamily> host_families;  // node_* of the host collectors, in the order they ran
  bool memory_enabled = false;            // set by the memory collector
  std::optional<MemoryRefresherStatus> memory_refresher;  // idem
  bool runqueue_latency_enabled = false;  // set by the runqueue-latency collector
  bool process_exporter_compat = false;   // --compat.process-exporter: also its names
  // Its histogram's buckets (--runqueue-latency.buckets), set by the same collector: the snapshot
  // carries them, so that the exposition and the series limit count from one configuration.
  RunqueueBuckets runqueue_latency_buckets = RunqueueBuckets::defaults();
  double boot_time_unix_seconds = 0;  // converts CLOCK_BOOTTIME start times to the wall clock
  std::optional<SelfMetrics> self;    // absent if /proc/self could not be read
  BuildInfo build;
  std::vector<CollectorStatus> collectors;
  std::map<std::string, std::uint64_t> events_lost;  // by source
  std::vector<ProgramStats> bpf_programs;  // with --bpf.stats only
  std::uint64_t tracked_processes = 0;
  std::uint64_t processes_dropped = 0;  // new processes refused: the table was at --process.max-tracked
  std::uint64_t groups_retired = 0;  // groups removed after --group.retention without members
  std::uint64_t labels_truncated = 0;  // group names cut to --label.max-length
  std::uint64_t series_dropped = 0;    // by --series.limit, summed over collections
  std::uint64_t group_series = 0;      // the groups' series in this snapshot, after --series.limit
  std::uint64_t series_limit = 0;      // --series.limit (0: none)
  unsigned cpu_cores = 0;
  // The configuration files' last reload (SIGHUP): whether it succeeded, and when the last one
  // that did happened (the start counts as one), as Prometheus and Alertmanager export them.
  bool config_last_reload_successful = true;
  double config_last_reload_success_unix_seconds = 0;
};

// Whether any group has a per-thread-name breakdown (--threads): its families are written then.
inline bool has_thread_names(const ExporterSnapshot& snapshot) {
  for (const GroupTotals& group : snapshot.groups)
    if (!group.thread_names.empty()) return true;
  return false;
}

// Whether any group exports members one by one (--process.top-n).
inline bool has_top_processes(const ExporterSnapshot& snapshot) {
  for (const GroupTotals& group : snapshot.groups)
    if (!group.top_processes.empty()) return true;
  return false;
}

}  // namespace bpfproc
