#include "bpfproc/accounting/process_tree.h"

#include <algorithm>

namespace bpfproc {

ProcessTree::ProcessTree(ProcessKey root) : root_(root) {
  members_.emplace(root, Member{});
  accounts_.add_new_process(root);
}

void ProcessTree::on_fork(const fork_event& event) {
  if (!is_member({event.parent_tgid, event.parent_start_ns})) return;
  const ProcessKey child{event.pid, event.start_ns};
  members_.try_emplace(child);
  accounts_.add_new_process(child);
}

void ProcessTree::on_exec(const exec_event& event) {
  auto member = members_.find(ProcessKey::of(event.task));
  if (member == members_.end()) return;
  member->second.execed = true;
  accounts_.on_exec(event);
}

void ProcessTree::on_exit(const exit_event& event) {
  const task_record& record = event.task;
  auto member = members_.find(ProcessKey::of(record));
  if (member == members_.end()) return;
  if ((record.flags & TASK_RECORD_GROUP_DEAD) != 0) {
    member->second.exited = true;
    if (member->first == root_) root_exit_time_ns_ = std::max<std::uint64_t>(root_exit_time_ns_, event.time_ns);
  }
  accounts_.on_exit(event);
  runqueue_latency_max_ns_ = std::max<std::uint64_t>(runqueue_latency_max_ns_, record.runqueue_latency.max_ns);
}

void ProcessTree::observe_scan(std::span<const task_record> records) {
  // Every member was added born (add_new_process): no baseline is read, so no scan time is needed.
  accounts_.begin_scan(0);
  for (auto& [key, member] : members_) member.seen_in_scan = false;
  for (const task_record& record : records) {
    auto member = members_.find(ProcessKey::of(record));
    if (member == members_.end()) continue;
    // A zombie leader is still listed after its final switch; its exit event already counted it.
    if (accounts_.observe_task(record) == ProcessAccounts::Reading::exited_thread) continue;
    member->second.seen_in_scan = true;
    runqueue_latency_max_ns_ = std::max<std::uint64_t>(runqueue_latency_max_ns_, record.runqueue_latency.max_ns);
  }
  // Members are kept to the end, so what the scan found vanished or finished needs no action.
  accounts_.end_scan();
}

std::vector<ProcessKey> ProcessTree::live_members() const {
  std::vector<ProcessKey> live;
  for (const auto& [key, member] : members_)
    if (!member.exited) live.push_back(key);
  return live;
}

std::vector<ProcessKey> ProcessTree::unaccounted_members() const {
  std::vector<ProcessKey> unaccounted;
  for (const auto& [key, member] : members_)
    if (!member.exited && !member.seen_in_scan) unaccounted.push_back(key);
  return unaccounted;
}

TreeTotals ProcessTree::totals() {
  TreeTotals totals;
  totals.runqueue_latency_max_ns = runqueue_latency_max_ns_;
  totals.processes = members_.size();
  for (const auto& [key, member] : members_) {
    // Split per process: the kernel splits a process's exact runtime by the ratio of its own
    // sampled user and system ticks (cputime_adjust), and getrusage sums processes split that way.
    const std::optional<ProcessUsage> usage = accounts_.usage(key);
    if (!usage) continue;  // every member is in accounts_; this only guards the invariant
    totals.counters += usage->used;
    totals.threads += usage->live_threads + usage->exited_threads;
    if (!member.exited && member.seen_in_scan) ++totals.still_running;
  }
  return totals;
}

}  // namespace bpfproc
