#include "bpfproc/grouping/process_tree.h"

#include <algorithm>

#include "bpfproc/accounting/cpu_split.h"

namespace bpfproc {

ProcessTree::ProcessTree(ProcessKey root) : root_(root) { processes_.emplace(root, Process{}); }

void ProcessTree::on_fork(const fork_event& event) {
  if (!is_member({event.parent_tgid, event.parent_start_ns})) return;
  processes_.try_emplace({event.pid, event.start_ns});
}

void ProcessTree::on_exec(const exec_event& event) {
  auto process = processes_.find({event.task.tgid, event.task.process_start_ns});
  if (process != processes_.end()) process->second.execed = true;
}

void ProcessTree::on_exit(const exit_event& event) {
  const task_record& record = event.task;
  auto entry = processes_.find({record.tgid, record.process_start_ns});
  if (entry == processes_.end()) return;
  Process& process = entry->second;
  if ((record.flags & TASK_RECORD_GROUP_DEAD) != 0) {
    process.exited = true;
    if (entry->first == root_) root_exit_time_ns_ = std::max<std::uint64_t>(root_exit_time_ns_, event.time_ns);
  }

  const ThreadKey thread{record.tid, record.start_ns};
  if (!exited_threads_.insert(thread).second) return;
  // Its final counters replace whatever the last scan read of it.
  live_threads_.erase(thread);
  process.exited_threads += Counters::of_thread(record);
  process.runqueue_latency_max_ns = std::max<std::uint64_t>(process.runqueue_latency_max_ns, record.runqueue_latency.max_ns);
  ++process.threads_exited;
}

void ProcessTree::observe_scan(std::span<const task_record> records) {
  live_threads_.clear();
  for (auto& [key, process] : processes_) process.seen_in_scan = false;
  for (const task_record& record : records) {
    const ProcessKey key{record.tgid, record.process_start_ns};
    auto process = processes_.find(key);
    if (process == processes_.end()) continue;
    const ThreadKey thread{record.tid, record.start_ns};
    // A zombie leader is still listed after its final switch; its exit event already counted it.
    if (exited_threads_.contains(thread)) continue;
    process->second.seen_in_scan = true;
    live_threads_[thread] = {key, Counters::of_thread(record), record.runqueue_latency.max_ns};
  }
}

std::vector<ProcessKey> ProcessTree::live_members() const {
  std::vector<ProcessKey> live;
  for (const auto& [key, process] : processes_)
    if (!process.exited) live.push_back(key);
  return live;
}

std::vector<ProcessKey> ProcessTree::unaccounted_members() const {
  std::vector<ProcessKey> unaccounted;
  for (const auto& [key, process] : processes_)
    if (!process.exited && !process.seen_in_scan) unaccounted.push_back(key);
  return unaccounted;
}

TreeTotals ProcessTree::totals() const {
  // Per process first: the kernel splits a process's exact runtime by the ratio of its own
  // sampled user and system ticks (cputime_adjust), and getrusage sums processes split that way.
  std::map<ProcessKey, Counters, ProcessKeyLess> used;
  std::set<ProcessKey, ProcessKeyLess> running;
  TreeTotals totals;
  for (const auto& [key, process] : processes_) {
    used[key] = process.exited_threads;
    totals.runqueue_latency_max_ns = std::max(totals.runqueue_latency_max_ns, process.runqueue_latency_max_ns);
    totals.threads += process.threads_exited;
  }
  for (const auto& [thread, live] : live_threads_) {
    used[live.process] += live.counters;
    totals.runqueue_latency_max_ns = std::max(totals.runqueue_latency_max_ns, live.runqueue_latency_max_ns);
    ++totals.threads;
    if (!processes_.at(live.process).exited) running.insert(live.process);
  }
  for (auto& [key, counters] : used) {
    const CpuSplit::Parts parts = CpuSplit().update(counters.runtime_ns, counters.user_ns, counters.system_ns);
    counters.user_ns = parts.user_ns;
    counters.system_ns = parts.system_ns;
    totals.counters += counters;
  }
  totals.processes = processes_.size();
  totals.still_running = running.size();
  return totals;
}

}  // namespace bpfproc
