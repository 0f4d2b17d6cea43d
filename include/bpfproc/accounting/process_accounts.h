#pragma once
// Exact per-process counters, keyed by (pid, start time): the task iterator's latest readings of
// each process's live threads, plus the final counters of its threads that exited, plus what its
// threads used before bpfproc first saw it. It knows nothing of groups.
//
// Invariants:
// - A process's counters never go down: newer readings are merged with a field-wise maximum.
// - Every thread is counted once: an exited thread's final counters replace its last reading,
//   and a stale iterator record of it (a zombie leader, or a reading taken just before the exit)
//   cannot bring it back.
// - A process that vanishes from the iterator without an exit event (it exited before the
//   programs were attached, or the event was lost) is taken as exited with its last readings.
#include <array>
#include <algorithm>
#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bpfproc/accounting/counters.h"
#include "bpfproc/accounting/cpu_split.h"
#include "bpfproc/accounting/process_gauges.h"
#include "bpfproc/accounting/thread_names.h"
#include "bpfproc/accounting/tid_table.h"
#include "bpfproc/procfs/smaps_rollup.h"

namespace bpfproc {

struct ProcessKey {
  std::uint32_t pid = 0;
  std::uint64_t start_ns = 0;  // CLOCK_BOOTTIME ns: tells a reused pid from its previous owner

  static ProcessKey of(const task_record& record) { return {record.tgid, record.process_start_ns}; }
  auto operator<=>(const ProcessKey&) const = default;
};

struct ProcessKeyHash {
  // noexcept: hash maps then do not store the hash in every node (8 bytes per process, twice).
  std::size_t operator()(const ProcessKey& key) const noexcept {
    return std::hash<std::uint64_t>()(key.start_ns * 0x9E3779B97F4A7C15ull ^ key.pid);
  }
};

// One process as a report sees it.
struct ProcessUsage {
  Counters used;       // everything so far; user + system == runtime (see cpu_split.h)
  Counters unsettled;  // the part of `used` not settled yet (see ProcessAccounts::settle)
  bool exited = false;
  std::size_t live_threads = 0;
  std::uint64_t exited_threads = 0;  // threads seen to exit, whose final counters are in `used`
  std::optional<MemoryUsage> memory;
  ProcessGauges gauges;              // its latest reading; zero until the iterator read it
  StateCounts thread_states{};       // of its live threads
  ThreadState state = ThreadState::other;  // its leader's, as /proc/PID/stat shows it
};

class ProcessAccounts {
 public:
  // What an iterator record was: the first sight of a process, a reading of a live thread, or a
  // stale record of a thread whose exit was already counted (ignored).
  enum class Reading { new_process, live_thread, exited_thread };

  struct ScanOutcome {
    std::vector<ProcessKey> vanished;  // gone from the iterator without an exit event: now exited
    std::vector<ProcessKey> finished;  // exited, and past the grace period for late events
  };

  // What one scan's records cover: every live task, or only the tasks that changed since they
  // were last read (bpf/task_iter.bpf.c), the others keeping their last readings. Only a full
  // scan can tell that a process or thread is gone: it is gone when two full scans in a row
  // missed it and no exit event came.
  enum class Pass { changes, full };

  // One scan: begin_scan, observe_task for each iterator record, end_scan.
  // scan_time_ns is CLOCK_BOOTTIME taken just before the iterator started.
  void begin_scan(std::uint64_t scan_time_ns, Pass pass = Pass::full);
  Reading observe_task(const task_record& record);
  ScanOutcome end_scan();

  // A process born while bpfproc watches (it has a fork event): none of its threads exited unseen.
  void add_new_process(const ProcessKey& key);
  void on_exec(const exec_event& event);
  // Returns true when this exit ended the process (its last thread).
  bool on_exit(const exit_event& event);

  // nullopt for a process not tracked. Not const: the user/system split moves on (cpu_split.h).
  std::optional<ProcessUsage> usage(const ProcessKey& key);
  // The unsettled part of the usage, which from now on counts as settled: what the caller hands
  // on for good, so that later reports count only what the process uses after this.
  Counters settle(const ProcessKey& key);
  void set_memory(const ProcessKey& key, const MemoryUsage& memory);

  // A label its owner gives a process (grouping: the group), kept with the counters so that a
  // report walks this one table instead of looking up every process in another.
  static constexpr std::uint32_t kNoLabel = UINT32_MAX;
  void set_label(const ProcessKey& key, std::uint32_t label);
  // The sums over the processes of each label, by label. Kept as processes change, so that a
  // report costs what changed since the last one, not what is tracked: a process that did not
  // move is not visited.
  struct LabelTotals {
    Counters unsettled;                  // of every process, live or exited
    std::uint64_t processes = 0;         // live
    std::uint64_t threads = 0;           // of live processes
    std::uint64_t exits = 0;             // exited, not forgotten yet
    MemoryUsage memory;                  // of live processes with a reading
    std::uint64_t with_memory = 0;
    std::uint64_t oldest_start_ns = 0;   // of live processes; 0 when there are none
    GaugeTotals gauges;                  // of live processes
  };
  const std::vector<LabelTotals>& label_totals();
  bool exited(const ProcessKey& key) const;  // true for a process not tracked
  const ProcessGauges* live_gauges(const ProcessKey& key) const;  // null unless tracked and live
  void forget(const ProcessKey& key);

  // The per-thread-name breakdown, opt-in (--threads): a name per thread, and a walk of the table
  // per report. Threads are taken by their comm; a thread's counters count from its start.
  void keep_thread_names(bool keep) { keep_thread_names_ = keep; }
  struct ThreadNameTotals {
    std::uint32_t name = ThreadNames::kNone;  // thread_name(name)
    std::uint64_t live_threads = 0;
    Counters counters;  // of its live threads, and of those that exited while their process had the label
  };
  // By label, for the labels wanted (the others get none): the live threads of its live processes
  // by name, plus the threads that exited under it.
  std::vector<std::vector<ThreadNameTotals>> thread_name_totals(const std::vector<bool>& wanted);
  const std::string& thread_name(std::uint32_t id) const { return thread_names_.name(id); }
  // By label, for the labels wanted: live threads of its live processes by wchan address (those
  // that sleep and say where).
  std::vector<std::unordered_map<std::uint64_t, std::uint64_t>> wchan_counts(const std::vector<bool>& wanted) const;
  // The live members of each label to export one by one (--process.top-n): the n that used the
  // most CPU since the last call, and the n with the highest USS; by pid. A walk of the table.
  struct TopProcess {
    ProcessKey key;
    std::uint64_t runtime_ns = 0;  // its unsettled runtime: what it used under its label
    ProcessGauges gauges;
    std::optional<MemoryUsage> memory;
  };
  std::vector<std::vector<TopProcess>> top_processes(std::size_t n);

  // A label its owner gave up (a retired group): what its exited threads used goes with it.
  void forget_label(std::uint32_t label);

  std::size_t size() const { return processes_.size(); }
  bool tracks(const ProcessKey& key) const { return processes_.contains(key); }
  // Processes that vanished from the iterator without an exit event.
  std::uint64_t unobserved_exits() const { return unobserved_exits_; }

 private:
  struct Thread {
    std::uint64_t start_ns = 0;
    Counters counters;
    std::uint64_t last_seen_scan = 0;
    ThreadState state = ThreadState::other;
    std::uint32_t name = ThreadNames::kNone;  // with keep_thread_names
    std::uint64_t wchan = 0;  // where it sleeps, when the records say (BpfOptions::wchan)
  };

  // Fields ordered so that almost nothing is padding: there is one of these per process.
  // What a process adds to its label's totals. Its counters there are not kept here (144 bytes a
  // process): they are what unsettled_now() gives while the process is clean, and touch() takes
  // them before the first change. Its memory reading and gauges, when live, are its current
  // ones, because set_memory and set_gauges move the totals with them.
  struct Contribution {
    std::uint32_t label = kNoLabel;
    std::uint32_t threads = 0;
    bool exited = false;
    bool with_memory = false;  // it has a memory reading (live processes only)
    ThreadState state = ThreadState::other;
    StateCounts thread_states{};
    std::uint64_t start_ns = 0;
    bool live() const { return label != kNoLabel && !exited; }
  };

  struct ExitedThread {
    std::uint32_t tid = 0;
    std::uint64_t start_ns = 0;
    std::uint64_t scan = 0;  // of the exit
  };

  // One per process tracked, live or exited and not forgotten yet: ordered so that almost nothing
  // is padding.
  struct Process {
    std::uint32_t label = kNoLabel;
    bool exited = false;
    // Changed since its contribution was counted: its entry in dirty_, or kClean.
    std::uint32_t dirty = kClean;
    // The baseline: what the threads that exited before bpfproc first saw the process used,
    // read from the leader's signal_struct once. It is added to dead_threads.
    bool has_baseline = false;
    std::uint64_t baseline_time_ns = 0;  // when the baseline was read; 0 if not from a scan
    // The baseline, plus final counters of threads that exited since; null while all zero, as
    // for nearly every single-threaded process (80 bytes each otherwise).
    std::unique_ptr<Counters> dead_threads;
    std::uint64_t exited_thread_count = 0;
    TidTable<Thread> threads;
    // Threads whose exit event was applied, with the scan of the exit, so that an older
    // iterator record cannot bring them back. Non-leaders are pruned one scan later (the kernel
    // unhashes them before their final switch); a zombie leader stays until the process goes.
    // Usually empty (24 bytes, where a std::map took 48): only exits since the last scan or two.
    std::vector<ExitedThread> exited_threads;
    bool was_applied(std::uint32_t tid, std::uint64_t start_ns) const {
      return std::any_of(exited_threads.begin(), exited_threads.end(),
                         [&](const ExitedThread& entry) { return entry.tid == tid && entry.start_ns == start_ns; });
    }
    Counters total;    // merged, never decreasing
    CpuSplit split;
    // Handed on by settle(); null until then, as for every process that neither exec'd nor
    // exited while watched (the long-lived ones, nearly all of a crowded host's).
    std::unique_ptr<Counters> settled;
    ProcessGauges gauges;
    std::uint64_t last_seen_scan = 0;
    std::uint64_t exited_scan = 0;
    std::optional<MemoryUsage> memory;
    std::uint64_t top_runtime_mark = 0;  // total runtime at the last top_processes()
    Contribution contributed;  // what it adds to its label's totals (as of its last clean state)
  };

  std::pair<Process&, bool> find_or_add(const ProcessKey& key);
  Reading update_thread(Process& process, const task_record& record);
  std::uint32_t name_of(const task_record& record, std::uint32_t known);
  void fold_thread(Process& process, const Counters& final_counters, std::uint32_t name = ThreadNames::kNone);
  static void add_dead_threads(Process& process, const Counters& counters);
  Counters refresh_total(Process& process);
  ProcessUsage usage_of(const ProcessKey& key, Process& process);

  static constexpr std::uint32_t kClean = UINT32_MAX;
  void touch(const ProcessKey& key, Process& process);
  // The unsettled counters as the last usage_of() computed them (see Contribution).
  static Counters unsettled_now(const Process& process);
  Contribution contribution_of(const ProcessKey& key, Process& process, Counters& unsettled);
  void count(const Contribution& contribution, const Counters& unsettled, const Process& process, bool add);
  void set_gauges(const ProcessKey& key, Process& process, const ProcessGauges& gauges);
  // The worst fd ratio of a label as one process's part in it changes (nullopt: not in it).
  void update_worst_fd_ratio(std::uint32_t label, std::optional<double> before, std::optional<double> after);
  void recompute_stale();

  ScanOutcome end_full_scan();
  ScanOutcome end_changes_scan();
  void prune_exited_threads(const ProcessKey& key, Process& process);

  std::unordered_map<ProcessKey, Process, ProcessKeyHash> processes_;
  // Keys of exited processes not forgotten yet, so that a changes scan need not walk the table.
  std::vector<ProcessKey> exited_;
  // Keys read in this scan (a changes scan visits only those).
  std::vector<ProcessKey> observed_;
  // Processes whose contribution is out of date, with the counters they added to their label.
  struct Dirty {
    ProcessKey key;
    Counters counted;
  };
  std::vector<Dirty> dirty_;
  std::vector<LabelTotals> label_totals_;
  std::vector<bool> oldest_stale_;    // by label: its oldest live process left
  std::vector<bool> worst_fd_stale_;  // by label: the process with its worst fd ratio went lower
  bool keep_thread_names_ = false;
  ThreadNames thread_names_;
  // By label, then thread name id: final counters of threads that exited under it.
  std::vector<std::unordered_map<std::uint32_t, Counters>> exited_by_name_;
  std::uint64_t scan_ = 0;
  Pass pass_ = Pass::full;
  std::uint64_t previous_full_scan_ = 0;  // the full scan before the current (or last) one
  std::uint64_t last_full_scan_ = 0;
  std::uint64_t scan_time_ns_ = 0;
  std::uint64_t unobserved_exits_ = 0;
};

}  // namespace bpfproc
