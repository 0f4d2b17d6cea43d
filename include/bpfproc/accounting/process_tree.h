#pragma once
// One process tree, as `bpfproc measure` follows it: a root process and every descendant, built
// from the lifecycle events, with the final counters of every thread that exited and the current
// counters of the threads still alive.
//
// - Membership: the root, then every process whose fork event names a member as its parent.
//   The fork tracepoint fires in the parent before the child can run, so a member's fork event
//   always comes before any event of the child.
// - Counters: a ProcessAccounts of the members, so every thread is counted exactly once, exited
//   (its final counters, from its exit event) or alive (its latest reading in a scan).
// Processes are keyed by (tgid, start time) everywhere: pids get reused.
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "bpfproc/accounting/counters.h"
#include "bpfproc/accounting/process_accounts.h"
#include "bpfproc/kernel/event_sink.h"

namespace bpfproc {

struct TreeTotals {
  Counters counters;                          // user + system == runtime, split per process
  std::uint64_t runqueue_latency_max_ns = 0;  // the longest single wait, exact
  std::uint64_t processes = 0;                // the root and every descendant, alive or not
  std::uint64_t threads = 0;                  // every thread of those, alive or not
  std::uint64_t still_running = 0;            // processes with a thread alive at the last scan
};

class ProcessTree : public EventSink {
 public:
  explicit ProcessTree(ProcessKey root);

  void on_fork(const fork_event& event) override;
  void on_exec(const exec_event& event) override;
  void on_exit(const exit_event& event) override;

  // One task iterator scan (records of every task on the host): the members' latest readings.
  void observe_scan(std::span<const task_record> records);

  const ProcessKey& root() const { return root_; }
  bool is_member(const ProcessKey& key) const { return members_.contains(key); }
  bool root_execed() const { return members_.at(root_).execed; }
  bool root_exited() const { return members_.at(root_).exited; }
  // CLOCK_BOOTTIME of the root's last thread's exit (sched_process_exit); 0 until root_exited().
  std::uint64_t root_exit_time_ns() const { return root_exit_time_ns_; }
  // Members whose last thread has not exited yet, as far as the events say.
  std::vector<ProcessKey> live_members() const;
  // Members that neither reported their last exit nor had a thread in the last scan: their final
  // exit events are still on the way (or were lost).
  std::vector<ProcessKey> unaccounted_members() const;

  // Not const: each process's user/system split moves on (cpu_split.h).
  TreeTotals totals();

 private:
  struct Member {
    bool exited = false;  // an exit event said no thread of it is left
    bool execed = false;
    bool seen_in_scan = false;  // a live thread of it was in the last scan
  };

  ProcessKey root_;
  std::uint64_t root_exit_time_ns_ = 0;
  std::uint64_t runqueue_latency_max_ns_ = 0;  // the longest single wait of any member's thread
  std::map<ProcessKey, Member> members_;
  ProcessAccounts accounts_;
};

}  // namespace bpfproc
