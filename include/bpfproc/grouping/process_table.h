#pragma once
// The process table: every process bpfproc knows, with its exact counters (ProcessAccounts), its
// group (Attribution) and the groups' totals (GroupLedger), fed by the task iterator and the
// lifecycle events. It performs no I/O: end_scan() returns the /proc identities and user names
// it needs, its owner reads them with read_identities() without holding the table's lock, and
// hands the replies back to apply_identities().
//
// Invariants:
// - A group's counters never go down: they are the contributions of its current members plus
//   everything credited to it before (members that are gone, CPU used before an exec that moved
//   a member to another group).
// - CPU follows the group a process had when it used it: at an exec, what the process used so
//   far is credited to the group of the program it leaves.
// - A group not decided yet loses nothing and counts nothing twice: the process's usage stays
//   unsettled (a left program's waits under its ticket) until the group is known, and a process
//   that is gone is forgotten only once all its groups are decided.
// Not thread-safe: whoever shares it holds one lock around every call.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "bpfproc/accounting/counters.h"
#include "bpfproc/accounting/process_accounts.h"
#include "bpfproc/grouping/attribution.h"
#include "bpfproc/grouping/config.h"
#include "bpfproc/grouping/group_ledger.h"
#include "bpfproc/grouping/group_totals.h"
#include "bpfproc/grouping/identity_requests.h"
#include "bpfproc/kernel/event_sink.h"
#include "bpfproc/procfs/smaps_rollup.h"

namespace bpfproc {

// A process whose memory the refresher may read, with its resident memory from the mm counters.
struct MemoryCandidate {
  ProcessKey key;
  std::uint64_t resident_bytes = 0;
};

// What bounds the groups a host can make; the defaults bound nothing.
struct GroupLimits {
  std::uint64_t retention_ns = UINT64_MAX;     // of scan time, for a group without members (GroupLedger)
  std::size_t label_max_length = SIZE_MAX;     // bytes of a group name (Attribution)
  // Members of each group exported one by one: the most CPU over the last report, and the
  // highest USS; 0: none.
  std::size_t process_top_n = 0;
  // Processes tracked at once, live or exited and not forgotten yet (--process.max-tracked).
  // Beyond it a new process is refused: counted in processes_dropped(), its usage not counted.
  std::size_t max_tracked_processes = kDefaultMaxTrackedProcesses;
  // PID_MAX_LIMIT on 64-bit: a host never has more live processes, so the default only bounds
  // the table against a runaway (exits that are never forgotten), never refuses a live process.
  static constexpr std::size_t kDefaultMaxTrackedProcesses = 4'194'304;
};

// Names a kernel text address (a wchan); the table does no I/O, its owner reads kallsyms.
using SymbolNamer = std::function<std::string(std::uint64_t address)>;

class ProcessTable : public EventSink {
 public:
  // boot_time_unix_seconds: /proc/stat's btime, for {{.StartTime}}; by default, the clocks'
  // (which can differ from it by a second).
  explicit ProcessTable(Config config, GroupLimits limits = {}, std::optional<std::int64_t> boot_time_unix_seconds = {});

  // One collection: begin_scan, observe_task for each iterator record, end_scan; then, without
  // the lock, read_identities(procfs, requests); then apply_identities(replies).
  // scan_time_ns is CLOCK_BOOTTIME taken just before the iterator started.
  void begin_scan(std::uint64_t scan_time_ns, ProcessAccounts::Pass pass = ProcessAccounts::Pass::full);
  void observe_task(const task_record& record);
  [[nodiscard]] IdentityRequests end_scan();
  // Decides the groups the replies allow, then forgets the processes gone for good.
  void apply_identities(IdentityReplies replies);  // by value: identities move in

  // Lifecycle events, in the order the kernel emitted them.
  void on_fork(const fork_event& event) override;
  void on_exec(const exec_event& event) override;
  void on_exit(const exit_event& event) override;
  void on_exec_context(const ExecContext& context) override { attribution_.on_exec_context(context); }
  // As at an exec: what the process used up to the move goes to the group it leaves.
  void on_cgroup_move(const cgroup_move_event& event) override;

  // New rules (a reload), taking effect at once for what can be decided without /proc, else at
  // the next apply_identities. A live process leaves its group as at an exec: what it used so far
  // is credited to that group. So a group the new rules still name keeps its counters and its
  // members, and a group they rename starts from zero under the new name while the old one,
  // left without members, is retired after the retention.
  void reconfigure(Config config);

  // Counts each group's threads by wchan, named by `namer` (process-exporter's threads_wchan).
  void count_wchans(SymbolNamer namer) { wchan_namer_ = std::move(namer); }

  // Turns the cgroup ids of fork and exec events into paths (Attribution::resolve_cgroups).
  void resolve_cgroups(Attribution::CgroupResolver resolver) { attribution_.resolve_cgroups(std::move(resolver)); }
  std::uint64_t cgroups_unresolved() const { return attribution_.cgroups_unresolved(); }

  // Groups with their totals, sorted by name. Counters of a group never go down between calls.
  std::vector<GroupTotals> collect_groups();

  // Live processes that belong to a group, the ones whose memory is worth reading, with their
  // resident memory from the mm counters.
  std::vector<MemoryCandidate> memory_candidates() const;
  void set_memory(const ProcessKey& key, const MemoryUsage& memory) { accounts_.set_memory(key, memory); }

  std::size_t tracked_processes() const { return accounts_.size(); }
  // Groups that were retired for having no members for the retention time.
  std::uint64_t retired_groups() const { return ledger_.retired(); }
  // Group names cut to the label length limit.
  std::uint64_t labels_truncated() const { return attribution_.labels_truncated(); }
  // Exec contexts cut by the kernel side: their processes may be named from a cut path.
  std::uint64_t exec_contexts_truncated() const { return attribution_.exec_contexts_truncated(); }
  // Processes that vanished from the iterator without an exit event (e.g. exited before attach).
  std::uint64_t unobserved_exits() const { return accounts_.unobserved_exits(); }
  // New processes refused because the table was at GroupLimits::max_tracked_processes, each
  // counted once.
  std::uint64_t processes_dropped() const { return processes_dropped_; }
  // Refused processes remembered so that each is counted once: what bounds that memory.
  std::size_t refused_remembered() const { return refused_.size(); }

 private:
  ProcessAccounts accounts_;
  GroupLedger ledger_;
  // Config::any_threads() and Config::threads; before attribution_, which takes the config.
  bool thread_names_ = false;
  bool all_thread_names_ = false;
  Attribution attribution_;    // after ledger_, where it names the groups
  // What each program left at exec used, by Attribution ticket, until its group is decided.
  std::unordered_map<std::uint64_t, Counters> awaiting_credit_;
  std::vector<ProcessKey> finished_;  // gone for good at the last end_scan; apply forgets them

  // Credits the programs left at exec that the rules have just decided.
  void credit_decided(const std::vector<Attribution::DecidedProgram>& decided);
  void add_thread_names(GroupLedger::Report& report);
  void add_top_processes(GroupLedger::Report& report);
  void add_wchans(GroupLedger::Report& report);
  SymbolNamer wchan_namer_;
  std::size_t process_top_n_ = 0;
  std::uint64_t scan_time_ns_ = 0;    // of the last scan: the clock of group retention

  // Whether the table takes (or has) this process: false, counted, when it is full.
  bool admit(const ProcessKey& key);
  std::size_t max_tracked_ = GroupLimits::kDefaultMaxTrackedProcesses;
  std::uint64_t processes_dropped_ = 0;
  // Refused processes, so that each is counted once, with the full scan in which they were last
  // refused. A process goes a few scans after its last thread's exit (until no stale record of
  // it can come), and at a full scan that neither showed it nor followed an event of it (gone
  // without an exit event): the map holds little more than the live refused processes.
  std::unordered_map<ProcessKey, std::uint64_t, ProcessKeyHash> refused_;
  std::deque<std::pair<ProcessKey, std::uint64_t>> refused_exits_;  // with the scan of the exit
  std::uint64_t full_scans_ = 0;
  std::uint64_t scans_ = 0;
  bool full_scan_ = false;
};

}  // namespace bpfproc
