#include "bpfproc/accounting/process_accounts.h"

namespace bpfproc {
namespace {

// A thread or process missing from this many consecutive scans without an exit event is taken
// as gone. Two, not one: a thread is unhashed shortly before its final switch, so one scan can
// miss a thread whose exit event is still on its way. The exit is held in the kernel until a
// sweep finds that final switch done, and every collection sweeps (drain_events) after reading
// the iterator: a thread missing from scan N was unhashed before it, so it made its final switch
// microseconds later (a run-queue wait if preempted), and scan N+1's sweep sends its record
// before scan N+1 ends, which is before two scans have passed. Zombies stay in the iterator
// until reaped, after their final switch, so they do not need the grace at all.
constexpr std::uint64_t kScansBeforeGone = 2;

}  // namespace

std::pair<ProcessAccounts::Process&, bool> ProcessAccounts::find_or_add(const ProcessKey& key) {
  auto [found, inserted] = processes_.try_emplace(key);
  if (inserted) found->second.last_seen_scan = scan_;  // a grace period before "gone" applies
  return {found->second, inserted};
}

void ProcessAccounts::begin_scan(std::uint64_t scan_time_ns) {
  ++scan_;
  scan_time_ns_ = scan_time_ns;
}

ProcessAccounts::Reading ProcessAccounts::observe_task(const task_record& record) {
  auto [process, added] = find_or_add(ProcessKey::of(record));
  process.last_seen_scan = scan_;
  if ((record.flags & TASK_RECORD_LEADER) && !process.has_baseline) {
    process.baseline = Counters::from(record.exited_threads);
    process.baseline_time_ns = scan_time_ns_;
    process.has_baseline = true;
  }
  const Reading reading = update_thread(process, record);
  return added ? Reading::new_process : reading;
}

ProcessAccounts::Reading ProcessAccounts::update_thread(Process& process, const task_record& record) {
  if (process.exited_threads.contains({record.tid, record.start_ns})) return Reading::exited_thread;
  auto [entry, inserted] = process.threads.try_emplace(record.tid);
  Thread& thread = entry->second;
  if (!inserted && thread.start_ns != record.start_ns) {
    // The tid now belongs to a newer thread; the old one exited without an event reaching us.
    fold_thread(process, thread.counters);
    thread = Thread{};
  }
  thread.start_ns = record.start_ns;
  thread.counters.merge_max(Counters::of_thread(record));
  thread.last_seen_scan = scan_;
  return Reading::live_thread;
}

void ProcessAccounts::fold_thread(Process& process, const Counters& final_counters) {
  process.dead_threads += final_counters;
  ++process.exited_thread_count;
}

void ProcessAccounts::add_new_process(const ProcessKey& key) {
  find_or_add(key).first.has_baseline = true;  // no thread of it has exited yet
}

void ProcessAccounts::on_exec(const exec_event& event) {
  const task_record& record = event.task;
  Process& process = find_or_add(ProcessKey::of(record)).first;
  if (!process.has_baseline) {
    process.baseline = Counters::from(record.exited_threads);
    process.has_baseline = true;
  }
  if (event.old_tid != record.tid) {
    // A non-leader thread exec'd and took over the leader's tid; its counters move with it.
    auto old = process.threads.find(event.old_tid);
    if (old != process.threads.end()) {
      Thread moved = old->second;
      process.threads.erase(old);
      moved.start_ns = record.start_ns;
      process.threads[record.tid] = moved;
    }
  }
  update_thread(process, record);
}

bool ProcessAccounts::on_exit(const exit_event& event) {
  const task_record& record = event.task;
  Process& process = find_or_add(ProcessKey::of(record)).first;

  if (process.exited_threads.try_emplace({record.tid, record.start_ns}, scan_).second) {
    // A non-leader thread that exited before the scan that read the baseline is in the baseline.
    const bool in_baseline = process.baseline_time_ns != 0 && record.tid != record.tgid &&
                             event.time_ns <= process.baseline_time_ns;
    if (in_baseline) {
      // Its CPU is in the baseline, but the kernel keeps no histogram for exited threads.
      Counters histogram_only;
      histogram_only.runqueue_latency = RunqueueLatency::from(record.runqueue_latency);
      fold_thread(process, histogram_only);
    } else {
      Counters final_counters = Counters::of_thread(record);
      auto thread = process.threads.find(record.tid);
      if (thread != process.threads.end() && thread->second.start_ns == record.start_ns) {
        final_counters.merge_max(thread->second.counters);
        process.threads.erase(thread);
      }
      fold_thread(process, final_counters);
    }
  }

  if (!(record.flags & TASK_RECORD_GROUP_DEAD) || process.exited) return false;
  process.exited = true;
  process.exited_scan = scan_;
  return true;
}

ProcessAccounts::ScanOutcome ProcessAccounts::end_scan() {
  ScanOutcome outcome;
  for (auto& [key, process] : processes_) {
    const bool seen = process.last_seen_scan == scan_;

    if (!process.exited && !seen && process.last_seen_scan + kScansBeforeGone <= scan_) {
      // Gone without an exit event: its last readings are its final counters.
      process.exited = true;
      process.exited_scan = scan_;
      ++unobserved_exits_;
      outcome.vanished.push_back(key);
    }

    if (process.exited) {
      // Kept a little longer, so late events of its other threads still land in it.
      if (!seen && process.exited_scan + kScansBeforeGone <= scan_) outcome.finished.push_back(key);
    } else if (seen) {
      std::erase_if(process.exited_threads, [&](const auto& exited) {
        return exited.first.first != key.pid && exited.second + 1 < scan_;
      });
      for (auto thread = process.threads.begin(); thread != process.threads.end();) {
        if (thread->second.last_seen_scan + kScansBeforeGone <= scan_) {
          fold_thread(process, thread->second.counters);
          thread = process.threads.erase(thread);
        } else {
          ++thread;
        }
      }
    }
  }
  return outcome;
}

Counters ProcessAccounts::refresh_total(Process& process) {
  Counters sum = process.baseline + process.dead_threads;
  for (const auto& [tid, thread] : process.threads) sum += thread.counters;
  process.total.merge_max(sum);

  Counters total = process.total;
  const CpuSplit::Parts parts = process.split.update(total.runtime_ns, total.user_ns, total.system_ns);
  total.user_ns = parts.user_ns;
  total.system_ns = parts.system_ns;
  return total;
}

std::optional<ProcessUsage> ProcessAccounts::usage(const ProcessKey& key) {
  auto found = processes_.find(key);
  if (found == processes_.end()) return std::nullopt;
  return usage_of(found->second);
}

ProcessUsage ProcessAccounts::usage_of(Process& process) {
  ProcessUsage usage;
  usage.used = refresh_total(process);
  usage.unsettled = usage.used - process.settled;
  usage.exited = process.exited;
  usage.live_threads = process.threads.size();
  usage.exited_threads = process.exited_thread_count;
  usage.memory = process.memory;
  return usage;
}

Counters ProcessAccounts::settle(const ProcessKey& key) {
  auto found = processes_.find(key);
  if (found == processes_.end()) return {};
  Process& process = found->second;
  const Counters used = refresh_total(process);
  const Counters unsettled = used - process.settled;
  process.settled.merge_max(used);
  return unsettled;
}

void ProcessAccounts::set_label(const ProcessKey& key, std::uint32_t label) {
  auto found = processes_.find(key);
  if (found != processes_.end()) found->second.label = label;
}

void ProcessAccounts::set_memory(const ProcessKey& key, const MemoryUsage& memory) {
  auto found = processes_.find(key);
  if (found != processes_.end()) found->second.memory = memory;
}

bool ProcessAccounts::exited(const ProcessKey& key) const {
  auto found = processes_.find(key);
  return found == processes_.end() || found->second.exited;
}

void ProcessAccounts::forget(const ProcessKey& key) { processes_.erase(key); }

}  // namespace bpfproc
