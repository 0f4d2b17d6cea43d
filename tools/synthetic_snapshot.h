#pragma once
// A synthetic snapshot of N groups, as a busy host has them, for the tools that time what is
// built from a snapshot (exposition_cost, remote_write_cost).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bpfproc/snapshot/snapshot.h"

namespace tools {

// Groups as a busy host has them: names of typical length, every counter non-zero, memory read.
inline bpfproc::ExporterSnapshot synthetic_snapshot(std::size_t groups, bool runqueue_latency) {
  bpfproc::ExporterSnapshot snapshot;
  snapshot.memory_enabled = true;
  snapshot.runqueue_latency_enabled = runqueue_latency;
  snapshot.boot_time_unix_seconds = 1'790'000'000;
  snapshot.self = bpfproc::SelfMetrics{1.25, 24 << 20, 300 << 20, 12, 1024, 1'790'000'100, 4};
  snapshot.build = {"0.1.0", "abcdef123456", "1.1.2", "6.18.0"};
  bpfproc::CollectorStatus tasks;
  tasks.name = "tasks";
  snapshot.collectors = {tasks};
  snapshot.events_lost = {{"ringbuf_full", 0}};
  for (std::size_t index = 0; index < groups; ++index) {
    bpfproc::GroupTotals group;
    group.name = "worker-" + std::to_string(index) + ":python3";
    group.processes = 1 + index % 7;
    group.threads = 2 + index % 13;
    group.counters.user_ns = 123'456'789 * (index + 1);
    group.counters.system_ns = 23'456'789 * (index + 1);
    group.counters.voluntary_switches = 1000 + index;
    group.counters.involuntary_switches = 10 + index;
    group.counters.migrations = index;
    group.counters.run_delay_ns = 987'654 * (index + 1);
    for (std::size_t slot = 0; slot < group.counters.runqueue_latency.slots.size(); ++slot)
      group.counters.runqueue_latency.slots[slot] = (index + slot) % 5;
    group.exits = index % 3;
    group.has_memory = true;
    group.memory = {30u << 20, 12u << 20, 8u << 20, 3u << 20, 1u << 20, 9u << 20, 0, 0};
    group.oldest_start_ns = 1'000'000'000 + index;
    snapshot.groups.push_back(std::move(group));
  }
  return snapshot;
}

// The tools' command line: [--runs N] [--latency] GROUPS...; nullopt (after the usage line) when bad.
struct CostArguments {
  unsigned runs = 11;  // odd, so the median is one run
  bool runqueue_latency = false;
  std::vector<std::size_t> group_counts;
};
inline std::optional<CostArguments> parse_cost_arguments(int argc, char** argv, const char* tool) {
  CostArguments arguments;
  for (int index = 1; index < argc; ++index) {
    if (std::strcmp(argv[index], "--runs") == 0 && index + 1 < argc)
      arguments.runs = static_cast<unsigned>(std::atoi(argv[++index]));
    else if (std::strcmp(argv[index], "--latency") == 0) arguments.runqueue_latency = true;
    else arguments.group_counts.push_back(static_cast<std::size_t>(std::strtoull(argv[index], nullptr, 10)));
  }
  if (arguments.group_counts.empty() || arguments.runs == 0) {
    std::fprintf(stderr, "usage: %s [--runs N] [--latency] GROUPS...\n", tool);
    return std::nullopt;
  }
  return arguments;
}

}  // namespace tools
