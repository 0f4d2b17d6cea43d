#pragma once
// A synthetic snapshot of N groups, as a busy host has them, for the tools that time what is
// built from a snapshot (exposition_cost, remote_write_cost).
#include <string>
#include <utility>

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

}  // namespace tools
