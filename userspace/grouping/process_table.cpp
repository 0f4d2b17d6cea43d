#include "bpfproc/grouping/process_table.h"

#include <algorithm>
#include <cstring>

#include "bpfproc/util/clock.h"
#include "bpfproc/procfs/proc_cmdline.h"
#include "bpfproc/util/utf8.h"

namespace bpfproc {
namespace {

// A thread or process missing from this many consecutive scans without an exit event is taken
// as gone. Two, not one: a thread is unhashed shortly before its final switch, so one scan can
// miss a thread whose exit event is still on its way.
constexpr std::uint64_t kScansBeforeGone = 2;

std::string comm_of(const char (&comm)[TASK_COMM_SIZE]) {
  return std::string(comm, strnlen(comm, TASK_COMM_SIZE));
}

}  // namespace

ProcessTable::ProcessTable(Config config, IdentityReader read_identity)
    : config_(std::move(config)),
      read_identity_(std::move(read_identity)),
      boot_time_unix_seconds_(boot_time_unix_seconds()) {}

ProcessTable::Process& ProcessTable::find_or_add(const ProcessKey& key, const task_record* record) {
  auto [found, inserted] = processes_.try_emplace(key);
  Process& process = found->second;
  if (!inserted) return process;

  process.key = key;
  process.last_seen_scan = scan_;  // a grace period before "gone" applies
  process.identity.pid = static_cast<int>(key.pid);
  process.identity.start_time_ns = key.start_ns;
  if (record != nullptr) {
    process.parent = {record->parent_tgid, 0};
    process.identity.comm = comm_of(record->comm);
    process.identity.uid = record->uid;
  }
  ProcessKey& newest = live_by_pid_[key.pid];
  if (newest.start_ns <= key.start_ns) newest = key;
  return process;
}

void ProcessTable::begin_scan(std::uint64_t scan_time_ns) {
  ++scan_;
  scan_time_ns_ = scan_time_ns;
}

void ProcessTable::observe_task(const task_record& record) {
  Process& process = find_or_add({record.tgid, record.process_start_ns}, &record);
  process.last_seen_scan = scan_;
  if ((record.flags & TASK_RECORD_LEADER) && !process.has_baseline) {
    process.baseline = Counters::from(record.exited_threads);
    process.baseline_time_ns = scan_time_ns_;
    process.has_baseline = true;
  }
  update_thread(process, record);
}

void ProcessTable::update_thread(Process& process, const task_record& record) {
  if (process.exited_threads.count({record.tid, record.start_ns}) != 0) return;
  Thread& thread = process.threads[record.tid];
  if (thread.start_ns != record.start_ns) {
    // The tid now belongs to a newer thread; the old one exited without an event reaching us.
    process.dead_threads += thread.counters;
    thread = Thread{record.start_ns, {}, 0};
  }
  thread.counters.merge_max(Counters::of_thread(record));
  thread.last_seen_scan = scan_;
}

void ProcessTable::on_fork(const fork_event& event) {
  Process& process = find_or_add({event.pid, event.start_ns}, nullptr);
  process.parent = {event.parent_tgid, event.parent_start_ns};
  process.has_baseline = true;  // a new process: no thread of it has exited yet
  process.identity.comm = comm_of(event.comm);
  // Until it execs, a child runs its parent's program: it inherits the parent's identity.
  auto parent = processes_.find(process.parent);
  if (parent != processes_.end()) {
    process.identity.exe_path = parent->second.identity.exe_path;
    process.identity.argv = parent->second.identity.argv;
    process.identity.uid = parent->second.identity.uid;
  }
}

void ProcessTable::on_exec(const exec_event& event) {
  const task_record& record = event.task;
  Process& process = find_or_add({record.tgid, record.process_start_ns}, &record);
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

  // Credit what the process used so far to the group it had before this exec.
  if (process.group == kUnresolved) resolve_group(process, /*allow_procfs=*/false);
  const Counters used = refresh_total(process);
  if (process.group >= 0) groups_[static_cast<std::size_t>(process.group)].credited += used - process.attributed;
  process.attributed.merge_max(used);

  process.identity.comm = comm_of(record.comm);
  process.identity.uid = record.uid;
  process.identity.exe_path.assign(event.filename, strnlen(event.filename, sizeof(event.filename)));
  const std::size_t args_size = std::min<std::size_t>(event.args_size, sizeof(event.args));
  process.identity.argv = parse_cmdline(std::string_view(event.args, args_size));
  process.identity_from_procfs = false;
  process.group = kUnresolved;
}

void ProcessTable::on_exit(const exit_event& event) {
  const task_record& record = event.task;
  Process& process = find_or_add({record.tgid, record.process_start_ns}, &record);

  // A non-leader thread that exited before the scan that read the baseline is in the baseline.
  const bool in_baseline = process.baseline_time_ns != 0 && record.tid != record.tgid &&
                           event.time_ns <= process.baseline_time_ns;
  if (in_baseline) {
    // Its CPU is in the baseline, but the kernel keeps no histogram for exited threads.
    if (process.exited_threads.try_emplace({record.tid, record.start_ns}, scan_).second) {
      Counters histogram_only;
      histogram_only.runqueue_latency = RunqueueLatency::from(record.runqueue_latency);
      process.dead_threads += histogram_only;
    }
  } else if (process.exited_threads.try_emplace({record.tid, record.start_ns}, scan_).second) {
    Counters final_counters = Counters::of_thread(record);
    auto thread = process.threads.find(record.tid);
    if (thread != process.threads.end() && thread->second.start_ns == record.start_ns) {
      final_counters.merge_max(thread->second.counters);
      process.threads.erase(thread);
    }
    process.dead_threads += final_counters;
  }

  if ((record.flags & TASK_RECORD_GROUP_DEAD) && !process.exited) {
    process.exited = true;
    process.exited_scan = scan_;
    const int group = resolve_group(process, /*allow_procfs=*/false);
    if (group >= 0) ++groups_[static_cast<std::size_t>(group)].exits;
  }
}

void ProcessTable::end_scan() {
  for (auto entry = processes_.begin(); entry != processes_.end();) {
    Process& process = entry->second;
    const bool seen = process.last_seen_scan == scan_;

    if (!process.exited && !seen && process.last_seen_scan + kScansBeforeGone <= scan_) {
      // Gone without an exit event: it exited before the programs were attached, or the event
      // was lost (counted at the source). Its last readings are its final counters.
      process.exited = true;
      process.exited_scan = scan_;
      ++unobserved_exits_;
      const int group = resolve_group(process, /*allow_procfs=*/false);
      if (group >= 0) ++groups_[static_cast<std::size_t>(group)].exits;
    }

    if (process.exited) {
      // Kept a little longer, so late events of its other threads still land in it.
      if (!seen && process.exited_scan + kScansBeforeGone <= scan_) {
        credit_and_forget(process);
        entry = processes_.erase(entry);
        continue;
      }
    } else if (seen) {
      std::erase_if(process.exited_threads, [&](const auto& exited) {
        return exited.first.first != process.key.pid && exited.second + 1 < scan_;
      });
      for (auto thread = process.threads.begin(); thread != process.threads.end();) {
        if (thread->second.last_seen_scan + kScansBeforeGone <= scan_) {
          process.dead_threads += thread->second.counters;
          thread = process.threads.erase(thread);
        } else {
          ++thread;
        }
      }
    }
    ++entry;
  }

  for (auto& [key, process] : processes_)
    if (process.group == kUnresolved && !process.exited) resolve_group(process, /*allow_procfs=*/true);
}

Counters ProcessTable::refresh_total(Process& process) {
  Counters sum = process.baseline + process.dead_threads;
  for (const auto& [tid, thread] : process.threads) sum += thread.counters;
  process.total.merge_max(sum);

  Counters total = process.total;
  const CpuSplit::Parts parts = process.split.update(total.runtime_ns, total.user_ns, total.system_ns);
  total.user_ns = parts.user_ns;
  total.system_ns = parts.system_ns;
  return total;
}

Counters ProcessTable::contribution(Process& process) {
  return refresh_total(process) - process.attributed;
}

void ProcessTable::credit_and_forget(Process& process) {
  if (process.group >= 0) groups_[static_cast<std::size_t>(process.group)].credited += contribution(process);
  auto newest = live_by_pid_.find(process.key.pid);
  if (newest != live_by_pid_.end() && newest->second == process.key) live_by_pid_.erase(newest);
}

int ProcessTable::group_index(const std::string& rendered_name) {
  // Names come from process data, which may hold any bytes; label values must be UTF-8.
  std::string name = to_valid_utf8(rendered_name);
  auto [found, inserted] = group_by_name_.try_emplace(name, static_cast<int>(groups_.size()));
  if (inserted) groups_.push_back(Group{std::move(name), {}, 0, {}});
  return found->second;
}

int ProcessTable::resolve_group(Process& process, bool allow_procfs, int depth) {
  if (process.group != kUnresolved) return process.group;
  constexpr int kMaxAncestry = 256;  // far deeper than real trees; stops a corrupt parent cycle
  if (depth > kMaxAncestry) return kNoGroup;

  if (allow_procfs && !process.exited && !process.identity_from_procfs) {
    if (auto identity = read_identity_(process.key)) {
      process.identity = std::move(*identity);
      process.identity_from_procfs = true;
    }
  }
  int group = kNoGroup;
  if (process.identity.kernel_thread && !config_.kernel_threads) {
    group = kNoGroup;
  } else if (auto name = config_.group_of(process.identity, user_names_.lookup(process.identity.uid),
                                          boot_time_unix_seconds_ +
                                              static_cast<double>(process.key.start_ns) / 1e9)) {
    group = group_index(*name);
  } else if (config_.children) {
    auto parent = processes_.end();
    if (process.parent.start_ns != 0) {
      parent = processes_.find(process.parent);
    } else if (auto newest = live_by_pid_.find(process.parent.pid); newest != live_by_pid_.end() &&
                                                                      newest->second.start_ns <= process.key.start_ns) {
      parent = processes_.find(newest->second);
    }
    if (parent != processes_.end() && &parent->second != &process)
      group = resolve_group(parent->second, allow_procfs, depth + 1);
  }
  process.group = group;
  return group;
}

std::vector<GroupTotals> ProcessTable::collect_groups() {
  std::vector<GroupTotals> totals(groups_.size());
  for (std::size_t index = 0; index < groups_.size(); ++index) {
    totals[index].name = groups_[index].name;
    totals[index].counters = groups_[index].credited;
    totals[index].exits = groups_[index].exits;
  }
  for (auto& [key, process] : processes_) {
    if (process.group < 0) continue;
    GroupTotals& group = totals[static_cast<std::size_t>(process.group)];
    group.counters += contribution(process);
    if (process.exited) continue;
    ++group.processes;
    group.threads += process.threads.size();
    if (group.oldest_start_ns == 0 || key.start_ns < group.oldest_start_ns) group.oldest_start_ns = key.start_ns;
    if (process.has_memory) {
      group.memory += process.memory;
      group.has_memory = true;
    }
  }
  for (std::size_t index = 0; index < groups_.size(); ++index) {
    // Safety net for the invariant; per-process merging already keeps every part monotonic.
    Counters& counters = totals[index].counters;
    counters.merge_max(groups_[index].last_reported);
    const std::uint64_t split_sum = counters.user_ns + counters.system_ns;
    if (split_sum > counters.runtime_ns) counters.runtime_ns = split_sum;
    else counters.system_ns += counters.runtime_ns - split_sum;
    groups_[index].last_reported = counters;
  }
  std::sort(totals.begin(), totals.end(),
            [](const GroupTotals& a, const GroupTotals& b) { return a.name < b.name; });
  return totals;
}

std::vector<ProcessKey> ProcessTable::grouped_live_processes() const {
  std::vector<ProcessKey> keys;
  for (const auto& [key, process] : processes_)
    if (process.group >= 0 && !process.exited) keys.push_back(key);
  return keys;
}

void ProcessTable::set_memory(const ProcessKey& key, const MemoryUsage& memory) {
  auto found = processes_.find(key);
  if (found == processes_.end()) return;
  found->second.memory = memory;
  found->second.has_memory = true;
}

}  // namespace bpfproc
