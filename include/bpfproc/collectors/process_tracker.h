#pragma once
// The BPF programs and the process table they feed, shared by the collectors that read
// processes (tasks, memory): a collection reads the task iterator into the table, a thread drains
// the lifecycle events into it in between, and the table's lock guards both.
#include <chrono>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bpfproc/grouping/config.h"
#include "bpfproc/grouping/process_table.h"
#include "bpfproc/procfs/cgroup_tree.h"
#include "bpfproc/procfs/kernel_symbols.h"
#include "bpfproc/kernel/bpf_collector.h"
#include "bpfproc/procfs/procfs.h"
#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

struct TrackerOptions {
  Config config;
  std::string procfs_root = "/proc";
  BpfOptions bpf;
  // A group without members is removed after this (GroupLedger); the default keeps them.
  std::chrono::milliseconds group_retention = std::chrono::milliseconds::max();
  std::size_t label_max_length = SIZE_MAX;  // bytes of a group name
  std::size_t process_top_n = 0;            // per-process series of each group (GroupLimits)
  std::size_t max_tracked_processes = GroupLimits::kDefaultMaxTrackedProcesses;  // (GroupLimits)
};

// A pair of full task passes every this many collections, as a safety net: only full passes find
// processes that vanished without an exit event (which lost events cause, and they trigger a pair
// at once). At the default 15 s interval, every 10 minutes.
inline constexpr unsigned kFullTaskPassEvery = 40;

class ProcessTracker {
 public:
  // Loads and attaches the BPF programs and takes a first collection, so that the fork events
  // that follow find their parents. The error is one line naming what is missing.
  static Result<std::unique_ptr<ProcessTracker>> open(TrackerOptions options);
  ~ProcessTracker();

  // The thread that drains lifecycle events between collections.
  void start_draining();

  // One collection of the CPU and scheduling counters into the table; returns the errors met.
  std::uint64_t collect();
  // The table's groups and the kernel side's health, into the snapshot.
  void fill(ExporterSnapshot& snapshot);
  // Lost events by source (see bpfproc_exporter_events_lost_total).
  std::map<std::string, std::uint64_t> events_lost();

  // Whether `config` can replace the rules in force without reloading the BPF programs, which
  // were loaded for what the first rules need: the error names what would need a restart.
  [[nodiscard]] Status check_reconfigure(const Config& config) const;
  // New rules (a reload; check_reconfigure first), applied by the next collection at its start,
  // on the collection's thread: never between a collection's scan and its /proc identities.
  void reconfigure(Config config);

  // For tests: one collection, then the groups.
  std::vector<GroupTotals> collect_groups();

  // For the memory refresher: the table is only touched with mutex() held.
  ProcessTable& table() { return table_; }
  std::mutex& mutex() { return mutex_; }
  const ProcFs& procfs() const { return procfs_; }

 private:
  explicit ProcessTracker(TrackerOptions options);
  // Requires mutex_, held by `lock`; releases it while /proc identities and user names are read.
  std::uint64_t collect_locked(std::unique_lock<std::mutex>& lock);
  std::map<std::string, std::uint64_t> events_lost_locked(const std::vector<ProgramStats>& programs) const;
  void drain_loop();
  BpfCollector::TaskPass next_task_pass();

  TrackerOptions options_;
  std::optional<Config> pending_config_;  // from reconfigure(), for the next collection; guarded by mutex_
  unsigned full_passes_due_ = 2;  // full passes come in pairs (ProcessAccounts::Pass)
  unsigned passes_since_full_ = 0;
  std::uint64_t ringbuf_lost_seen_ = 0;
  ProcFs procfs_;
  KernelSymbols kernel_symbols_;  // names the wchans, with BpfOptions::wchan
  std::optional<CgroupTree> cgroup_tree_;  // names the events' cgroup ids, when rules read cgroups
  std::unique_ptr<BpfCollector> bpf_;
  std::mutex mutex_;  // guards table_ and the reads of bpf_
  ProcessTable table_;
  std::atomic<bool> stopping_{false};
  std::thread drain_thread_;
};

}  // namespace bpfproc
