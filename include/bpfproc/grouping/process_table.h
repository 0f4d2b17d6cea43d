#pragma once
// The process table: every process bpfproc knows, keyed by (pid, start time), with its counters
// merged from the task iterator and the lifecycle events, and its group.
//
// Invariants:
// - A process's counters never go down: newer readings are merged with a field-wise maximum.
// - A group's counters never go down: they are the contributions of its current members plus
//   everything credited to it before (members that exited, CPU used before an exec that moved a
//   member to another group).
// - CPU follows the group a process had when it used it: at an exec that changes the group, what
//   the process used so far is credited to the old group.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <map>
#include <utility>
#include <vector>

#include "bpfproc/grouping/config.h"
#include "bpfproc/grouping/group_totals.h"
#include "bpfproc/accounting/counters.h"
#include "bpfproc/accounting/cpu_split.h"
#include "bpfproc/kernel/event_sink.h"
#include "bpfproc/procfs/process_identity.h"
#include "bpfproc/procfs/smaps_rollup.h"
#include "bpfproc/grouping/user_names.h"

namespace bpfproc {

struct ProcessKey {
  std::uint32_t pid = 0;
  std::uint64_t start_ns = 0;  // CLOCK_BOOTTIME ns: tells a reused pid from its previous owner
  bool operator==(const ProcessKey&) const = default;
};

struct ProcessKeyHash {
  std::size_t operator()(const ProcessKey& key) const {
    return std::hash<std::uint64_t>()(key.start_ns * 0x9E3779B97F4A7C15ull ^ key.pid);
  }
};

// Reads a live process's identity from /proc; nullopt when it is gone or is not that process.
using IdentityReader = std::function<std::optional<ProcessIdentity>(const ProcessKey&)>;

class ProcessTable : public EventSink {
 public:
  ProcessTable(Config config, IdentityReader read_identity);

  // One collection: begin_scan, observe_task for each iterator record, end_scan.
  // scan_time_ns is CLOCK_BOOTTIME taken just before the iterator started.
  void begin_scan(std::uint64_t scan_time_ns);
  void observe_task(const task_record& record);
  void end_scan();

  // Lifecycle events, in the order the kernel emitted them.
  void on_fork(const fork_event& event) override;
  void on_exec(const exec_event& event) override;
  void on_exit(const exit_event& event) override;

  // Groups with their totals, sorted by name. Counters of a group never go down between calls.
  std::vector<GroupTotals> collect_groups();

  // Live processes that belong to a group: the ones whose memory is worth reading.
  std::vector<ProcessKey> grouped_live_processes() const;
  void set_memory(const ProcessKey& key, const MemoryUsage& memory);

  std::size_t tracked_processes() const { return processes_.size(); }
  // Processes that vanished from the iterator without an exit event (e.g. exited before attach).
  std::uint64_t unobserved_exits() const { return unobserved_exits_; }

 private:
  static constexpr int kNoGroup = -1;
  static constexpr int kUnresolved = -2;

  struct Thread {
    std::uint64_t start_ns = 0;
    Counters counters;
    std::uint64_t last_seen_scan = 0;
  };

  struct Process {
    ProcessKey key;
    ProcessKey parent;                 // start_ns 0 when only the parent pid is known
    ProcessIdentity identity;
    bool identity_from_procfs = false;
    int group = kUnresolved;
    bool has_baseline = false;
    Counters baseline;                 // threads that exited before bpfproc first saw the process
    std::uint64_t baseline_time_ns = 0;  // when the baseline was read; 0 if not from a scan
    Counters dead_threads;             // final counters of threads that exited since
    std::unordered_map<std::uint32_t, Thread> threads;
    // Threads whose exit event was applied, (tid, start) -> scan of the exit, so that an older
    // iterator record cannot bring them back. Non-leaders are pruned one scan later (the kernel
    // unhashes them before their final switch); a zombie leader stays until the process goes.
    std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> exited_threads;
    Counters total;                    // merged, never decreasing
    CpuSplit split;
    Counters attributed;               // already credited to groups this process left at exec
    std::uint64_t last_seen_scan = 0;
    bool exited = false;
    std::uint64_t exited_scan = 0;
    bool has_memory = false;
    MemoryUsage memory;
  };

  struct Group {
    std::string name;
    Counters credited;     // exited members and CPU used before leaving at exec
    std::uint64_t exits = 0;
    Counters last_reported;
  };

  Process& find_or_add(const ProcessKey& key, const task_record* record);
  void update_thread(Process& process, const task_record& record);
  void take_baseline(Process& process, const task_record& record);
  Counters refresh_total(Process& process);
  Counters contribution(Process& process);
  // allow_procfs: read the identity from /proc first (not at exec: /proc already shows the new one).
  int resolve_group(Process& process, bool allow_procfs, int depth = 0);
  int group_index(const std::string& rendered_name);
  void credit_and_forget(Process& process);

  Config config_;
  IdentityReader read_identity_;
  UserNames user_names_;
  std::unordered_map<ProcessKey, Process, ProcessKeyHash> processes_;
  std::unordered_map<std::uint32_t, ProcessKey> live_by_pid_;  // the newest process of each pid
  std::vector<Group> groups_;
  std::unordered_map<std::string, int> group_by_name_;
  std::uint64_t scan_ = 0;
  std::uint64_t scan_time_ns_ = 0;
  std::uint64_t unobserved_exits_ = 0;
  double boot_time_unix_seconds_ = 0;  // for {{.StartTime}}
};

}  // namespace bpfproc
