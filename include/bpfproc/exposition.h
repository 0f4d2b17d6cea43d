#pragma once
// Builds the metric families of one scrape from a snapshot. A pure function, so a fixed snapshot
// can be checked against a golden file.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "bpfproc/bpf_collector.h"
#include "bpfproc/collector_stats.h"
#include "bpfproc/process_table.h"
#include "bpfproc/self_metrics.h"

namespace bpfproc {

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string libbpf_version;
  std::string kernel;
};

struct ExporterSnapshot {
  std::vector<GroupTotals> groups;
  bool memory_enabled = true;
  bool runqueue_latency_enabled = true;
  double boot_time_unix_seconds = 0;  // converts CLOCK_BOOTTIME start times to the wall clock
  std::optional<SelfMetrics> self;    // absent if /proc/self could not be read
  BuildInfo build;
  std::vector<CollectorStatus> collectors;
  std::map<std::string, std::uint64_t> events_lost;  // by source
  std::vector<ProgramStats> bpf_programs;  // with --bpf.stats only
  std::uint64_t scrapes = 0;
  std::uint64_t tracked_processes = 0;
  unsigned cpu_cores = 0;
};

std::vector<prometheus::MetricFamily> build_exposition(const ExporterSnapshot& snapshot);

// Number of samples (series) in the families, as the text format would print them.
std::size_t count_series(const std::vector<prometheus::MetricFamily>& families);

}  // namespace bpfproc
