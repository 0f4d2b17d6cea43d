#pragma once
// The running core of bpfproc: the BPF programs, the process table they feed, the thread that
// drains lifecycle events, and the memory refresher. collect() runs one collection of the CPU and
// scheduling counters (cheap, so at every scrape) and returns what the exposition needs.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bpfproc/kernel/bpf_collector.h"
#include "bpfproc/collectors/collector_stats.h"
#include "bpfproc/grouping/config.h"
#include "bpfproc/snapshot/snapshot.h"
#include "bpfproc/collectors/memory_refresher.h"
#include "bpfproc/grouping/process_table.h"
#include "bpfproc/procfs/procfs.h"

namespace bpfproc {

struct MonitorOptions {
  Config config;
  std::string procfs_root = "/proc";
  bool memory_enabled = true;
  MemoryRefresherOptions memory;
  bool runqueue_latency = true;  // see BpfOptions
  bool bpf_stats = false;
};

BuildInfo current_build_info();

class ProcessMonitor {
 public:
  // Loads and attaches the BPF programs and takes a first collection. Background threads start
  // with start_background().
  static Result<std::unique_ptr<ProcessMonitor>> open(MonitorOptions options);
  ~ProcessMonitor();

  // The event-draining thread and, if enabled, the memory refresher.
  void start_background();
  // One memory pass on the calling thread (for `bpfproc once`).
  void refresh_memory_now();

  // One collection of the counters; never throws.
  std::shared_ptr<ExporterSnapshot> collect();

  // For tests: the table's view of the groups after a collection, without self-metrics.
  std::vector<GroupTotals> collect_groups();

 private:
  explicit ProcessMonitor(MonitorOptions options);
  // Requires mutex_, held by `lock`; releases it while /proc identities and user names are read.
  void collect_locked(std::unique_lock<std::mutex>& lock);
  // Lost events by source; `programs` gives the kernel's skipped runs. Requires mutex_.
  std::map<std::string, std::uint64_t> events_lost(const std::vector<ProgramStats>& programs) const;
  void drain_loop();

  MonitorOptions options_;
  ProcFs procfs_;
  std::unique_ptr<BpfCollector> bpf_;
  mutable std::mutex mutex_;  // guards table_ and bpf_ reads
  ProcessTable table_;
  CollectorStats task_stats_{"tasks"};
  std::unique_ptr<MemoryRefresher> memory_;
  BuildInfo build_;
  double boot_time_unix_seconds_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread drain_thread_;
};

}  // namespace bpfproc
