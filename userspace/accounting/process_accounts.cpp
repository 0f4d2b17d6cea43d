#include "bpfproc/accounting/process_accounts.h"

#include <unistd.h>

#include <cstring>

namespace bpfproc {
namespace {

const std::uint64_t kPageSize = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));

// A thread or process missing from this many consecutive scans without an exit event is taken
// as gone. Two, not one: a thread is unhashed shortly before its final switch, so one scan can
// miss a thread whose exit event is still on its way. The exit is held in the kernel until a
// sweep finds that final switch done, and every collection sweeps (drain_events) after reading
// the iterator: a thread missing from scan N was unhashed before it, so it made its final switch
// microseconds later (a run-queue wait if preempted), and scan N+1's sweep sends its record
// before scan N+1 ends, which is before two scans have passed. Zombies stay in the iterator
// until reaped, after their final switch, so they do not need the grace at all.
// Changes scans do not count: only full scans list every live task (see Pass).
constexpr std::uint64_t kScansBeforeGone = 2;

// The task's exit_state in a record's state: EXIT_ZOMBIE (0x20) or EXIT_DEAD (0x10).
constexpr std::uint32_t kExitStates = 0x10 | 0x20;

}  // namespace

std::pair<ProcessAccounts::Process&, bool> ProcessAccounts::find_or_add(const ProcessKey& key) {
  auto [found, inserted] = processes_.try_emplace(key);
  if (inserted) found->second.last_seen_scan = scan_;  // a grace period before "gone" applies
  touch(key, found->second);  // every caller changes it
  return {found->second, inserted};
}

// Every change of a process comes through here first, so that what it added to its label's
// totals is taken while its state still gives it.
void ProcessAccounts::touch(const ProcessKey& key, Process& process) {
  if (process.dirty != kClean) return;
  process.dirty = static_cast<std::uint32_t>(dirty_.size());
  dirty_.push_back({key, process.contributed.label == kNoLabel ? Counters{} : unsettled_now(process)});
}

Counters ProcessAccounts::unsettled_now(const Process& process) {
  Counters used = process.total;
  const CpuSplit::Parts parts = process.split.last();
  used.user_ns = parts.user_ns;
  used.system_ns = parts.system_ns;
  return process.settled ? used - *process.settled : used;
}

void ProcessAccounts::begin_scan(std::uint64_t scan_time_ns, Pass pass) {
  ++scan_;
  scan_time_ns_ = scan_time_ns;
  pass_ = pass;
  if (pass == Pass::full) {
    previous_full_scan_ = last_full_scan_;
    last_full_scan_ = scan_;
  }
  observed_.clear();
}

ProcessAccounts::Reading ProcessAccounts::observe_task(const task_record& record) {
  const ProcessKey key = ProcessKey::of(record);
  // An exited thread (a zombie) of a process not in the table: the zombie leader of a process
  // whose exit was counted and that left the table while it waited to be reaped. Changes scans
  // do not list an unchanged zombie, so it leaves two of them after its exit, and the next full
  // scan lists it again: taken for a new process, it counted its CPU and its exit twice.
  // (A process that is alive has a live thread, which adds it.)
  if ((record.state & kExitStates) != 0 && !processes_.contains(key)) return Reading::exited_thread;
  auto [process, added] = find_or_add(key);
  if (process.last_seen_scan != scan_ || added) observed_.push_back(key);
  process.last_seen_scan = scan_;
  if ((record.flags & TASK_RECORD_LEADER) && !process.has_baseline) {
    add_dead_threads(process, Counters::from(record.exited_threads));
    process.baseline_time_ns = scan_time_ns_;
    process.has_baseline = true;
  }
  const Reading reading = update_thread(process, record);
  if (reading == Reading::live_thread && (record.flags & TASK_RECORD_GAUGES))
    set_gauges(key, process, ProcessGauges::from(record.gauges, kPageSize));
  return added ? Reading::new_process : reading;
}

void ProcessAccounts::set_gauges(const ProcessKey&, Process& process, const ProcessGauges& gauges) {
  if (process.gauges == gauges) return;
  const Contribution& contributed = process.contributed;
  if (contributed.live()) {
    // Its totals hold the reading being replaced: they move with it (see Contribution).
    GaugeTotals& totals = label_totals_[contributed.label].gauges;
    totals.virtual_bytes += gauges.virtual_bytes - process.gauges.virtual_bytes;
    totals.resident_bytes += gauges.resident_bytes - process.gauges.resident_bytes;
    totals.resident_file_bytes += gauges.resident_file_bytes - process.gauges.resident_file_bytes;
    totals.resident_anon_bytes += gauges.resident_anon_bytes - process.gauges.resident_anon_bytes;
    totals.resident_shmem_bytes += gauges.resident_shmem_bytes - process.gauges.resident_shmem_bytes;
    totals.swap_bytes += gauges.swap_bytes - process.gauges.swap_bytes;
    totals.open_fds += gauges.open_fds - static_cast<std::uint64_t>(process.gauges.open_fds);
    update_worst_fd_ratio(contributed.label, process.gauges.fd_ratio(), gauges.fd_ratio());
  }
  process.gauges = gauges;
}

ProcessAccounts::Reading ProcessAccounts::update_thread(Process& process, const task_record& record) {
  if (process.was_applied(record.tid, record.start_ns)) return Reading::exited_thread;
  auto [thread, inserted] = process.threads.try_emplace(record.tid);
  if (!inserted && thread.start_ns != record.start_ns) {
    // The tid now belongs to a newer thread; the old one exited without an event reaching us.
    fold_thread(process, thread.counters, thread.name);
    thread = Thread{};
  }
  thread.start_ns = record.start_ns;
  thread.counters.merge_max(Counters::of_thread(record));
  thread.last_seen_scan = scan_;
  thread.state = thread_state(record.state);
  thread.wchan = record.wchan;
  if (keep_thread_names_) thread.name = name_of(record, thread.name);
  return Reading::live_thread;
}

// The id of the record's comm: the thread's known one when it did not change (a compare, no hash).
std::uint32_t ProcessAccounts::name_of(const task_record& record, std::uint32_t known) {
  const std::string_view comm(record.comm, strnlen(record.comm, sizeof(record.comm)));
  if (known != ThreadNames::kNone && thread_names_.name(known) == comm) return known;
  return thread_names_.intern(comm);
}

void ProcessAccounts::add_dead_threads(Process& process, const Counters& counters) {
  if (counters == Counters{}) return;
  if (!process.dead_threads) process.dead_threads = std::make_unique<Counters>();
  *process.dead_threads += counters;
}

void ProcessAccounts::fold_thread(Process& process, const Counters& final_counters, std::uint32_t name) {
  add_dead_threads(process, final_counters);
  ++process.exited_thread_count;
  if (name == ThreadNames::kNone || process.label == kNoLabel) return;
  if (process.label >= exited_by_name_.size()) exited_by_name_.resize(process.label + 1);
  exited_by_name_[process.label][name] += final_counters;
}

void ProcessAccounts::add_new_process(const ProcessKey& key) {
  find_or_add(key).first.has_baseline = true;  // no thread of it has exited yet
}

void ProcessAccounts::on_exec(const exec_event& event) {
  const task_record& record = event.task;
  Process& process = find_or_add(ProcessKey::of(record)).first;
  if (!process.has_baseline) {
    add_dead_threads(process, Counters::from(record.exited_threads));
    process.has_baseline = true;
  }
  if (event.old_tid != record.tid) {
    // A non-leader thread exec'd and took over the leader's tid; its counters move with it.
    if (Thread* old = process.threads.find(event.old_tid)) {
      Thread moved = std::move(*old);
      process.threads.erase(event.old_tid);
      moved.start_ns = record.start_ns;
      process.threads.try_emplace(record.tid).first = std::move(moved);
    }
  }
  update_thread(process, record);
}

bool ProcessAccounts::on_exit(const exit_event& event) {
  const task_record& record = event.task;
  Process& process = find_or_add(ProcessKey::of(record)).first;

  if (!process.was_applied(record.tid, record.start_ns)) {
    process.exited_threads.push_back({record.tid, record.start_ns, scan_});
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
      std::uint32_t known = ThreadNames::kNone;
      Thread* thread = process.threads.find(record.tid);
      if (thread != nullptr && thread->start_ns == record.start_ns) {
        final_counters.merge_max(thread->counters);
        known = thread->name;
        process.threads.erase(record.tid);
      }
      fold_thread(process, final_counters, keep_thread_names_ ? name_of(record, known) : ThreadNames::kNone);
    }
  }

  if (!(record.flags & TASK_RECORD_GROUP_DEAD) || process.exited) return false;
  process.exited = true;
  process.exited_scan = scan_;
  exited_.push_back(ProcessKey::of(record));
  return true;
}

ProcessAccounts::ScanOutcome ProcessAccounts::end_scan() {
  return pass_ == Pass::full ? end_full_scan() : end_changes_scan();
}

// Gone: missing from this full scan and from the previous full scan, and from kScansBeforeGone
// scans in a row. Full scans come in pairs (the tracker asks for them so), so that is two
// consecutive scans that listed every live task, as when every scan is full.
ProcessAccounts::ScanOutcome ProcessAccounts::end_full_scan() {
  ScanOutcome outcome;
  const auto gone = [&](std::uint64_t last_seen) { return last_seen < previous_full_scan_; };
  exited_.clear();
  for (auto& [key, process] : processes_) {
    const bool seen = process.last_seen_scan == scan_;

    if (!process.exited && !seen && gone(process.last_seen_scan) && process.last_seen_scan + kScansBeforeGone <= scan_) {
      // Gone without an exit event: its last readings are its final counters.
      process.exited = true;
      process.exited_scan = scan_;
      ++unobserved_exits_;
      outcome.vanished.push_back(key);
      touch(key, process);
    }

    if (process.exited) {
      exited_.push_back(key);
      // Kept a little longer, so late events of its other threads still land in it.
      if (!seen && process.exited_scan + kScansBeforeGone <= scan_) outcome.finished.push_back(key);
    } else if (seen) {
      prune_exited_threads(key, process);
      // Captured by name, not as structured bindings, which clang 14 (the fuzz build) cannot capture.
      process.threads.erase_if([&, &owner = process, &owner_key = key](std::uint32_t, const Thread& thread) {
        if (thread.last_seen_scan == scan_ || !gone(thread.last_seen_scan) ||
            thread.last_seen_scan + kScansBeforeGone > scan_)
          return false;
        fold_thread(owner, thread.counters, thread.name);
        touch(owner_key, owner);
        return true;
      });
    }
  }
  return outcome;
}

// Visits only what this scan read and the exited processes: nothing can be taken as gone.
ProcessAccounts::ScanOutcome ProcessAccounts::end_changes_scan() {
  ScanOutcome outcome;
  for (const ProcessKey& key : observed_) {
    auto found = processes_.find(key);
    if (found != processes_.end() && !found->second.exited) prune_exited_threads(key, found->second);
  }
  std::erase_if(exited_, [&](const ProcessKey& key) {
    auto found = processes_.find(key);
    if (found == processes_.end()) return true;  // forgotten
    const Process& process = found->second;
    if (process.last_seen_scan != scan_ && process.exited_scan + kScansBeforeGone <= scan_)
      outcome.finished.push_back(key);
    return false;
  });
  return outcome;
}

// Non-leader threads whose exit was applied are remembered one scan longer than their last
// possible stale record; a zombie leader until the process goes.
void ProcessAccounts::prune_exited_threads(const ProcessKey& key, Process& process) {
  std::erase_if(process.exited_threads, [&](const ExitedThread& exited) {
    return exited.tid != key.pid && exited.scan + 1 < scan_;
  });
}

Counters ProcessAccounts::refresh_total(Process& process) {
  Counters sum = process.dead_threads ? *process.dead_threads : Counters{};
  for (const auto& thread : process.threads) sum += thread.value.counters;
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
  touch(key, found->second);  // the split moves on
  return usage_of(key, found->second);
}

ProcessUsage ProcessAccounts::usage_of(const ProcessKey& key, Process& process) {
  ProcessUsage usage;
  usage.used = refresh_total(process);
  usage.unsettled = process.settled ? usage.used - *process.settled : usage.used;
  usage.exited = process.exited;
  usage.live_threads = process.threads.size();
  usage.exited_threads = process.exited_thread_count;
  usage.memory = process.memory;
  usage.gauges = process.gauges;
  // A process whose leader exited before its other threads shows its zombie leader's state.
  usage.state = ThreadState::zombie;
  for (const auto& thread : process.threads) {
    ++usage.thread_states[static_cast<std::size_t>(thread.value.state)];
    if (thread.tid == key.pid) usage.state = thread.value.state;
  }
  return usage;
}

Counters ProcessAccounts::settle(const ProcessKey& key) {
  auto found = processes_.find(key);
  if (found == processes_.end()) return {};
  Process& process = found->second;
  touch(key, process);
  const Counters used = refresh_total(process);
  if (!process.settled) process.settled = std::make_unique<Counters>();
  const Counters unsettled = used - *process.settled;
  process.settled->merge_max(used);
  return unsettled;
}

void ProcessAccounts::set_label(const ProcessKey& key, std::uint32_t label) {
  auto found = processes_.find(key);
  if (found == processes_.end() || found->second.label == label) return;
  found->second.label = label;
  touch(key, found->second);
}

void ProcessAccounts::set_memory(const ProcessKey& key, const MemoryUsage& memory) {
  auto found = processes_.find(key);
  if (found == processes_.end()) return;
  Process& process = found->second;
  if (process.contributed.live() && process.contributed.with_memory) {
    // Its totals hold the reading being replaced: they move with it, and nothing else changed.
    LabelTotals& totals = label_totals_[process.contributed.label];
    totals.memory -= *process.memory;
    totals.memory += memory;
  } else {
    touch(key, process);
  }
  process.memory = memory;
}

std::vector<std::vector<ProcessAccounts::ThreadNameTotals>> ProcessAccounts::thread_name_totals(
    const std::vector<bool>& wanted) {
  std::vector<std::unordered_map<std::uint32_t, ThreadNameTotals>> by_label(wanted.size());
  const auto is_wanted = [&](std::uint32_t label) { return label < wanted.size() && wanted[label]; };
  for (const auto& [key, process] : processes_) {
    if (process.exited || !is_wanted(process.label)) continue;
    for (const auto& thread : process.threads) {
      ThreadNameTotals& totals = by_label[process.label][thread.value.name];
      totals.name = thread.value.name;
      ++totals.live_threads;
      totals.counters += thread.value.counters;
    }
  }
  for (std::uint32_t label = 0; label < exited_by_name_.size(); ++label) {
    if (!is_wanted(label)) continue;
    for (const auto& [name, counters] : exited_by_name_[label]) {
      ThreadNameTotals& totals = by_label[label][name];
      totals.name = name;
      totals.counters += counters;
    }
  }
  std::vector<std::vector<ThreadNameTotals>> result(wanted.size());
  for (std::size_t label = 0; label < wanted.size(); ++label)
    for (auto& [name, totals] : by_label[label]) result[label].push_back(std::move(totals));
  return result;
}

std::vector<std::vector<ProcessAccounts::TopProcess>> ProcessAccounts::top_processes(std::size_t n) {
  struct Candidate {
    std::uint64_t cpu = 0;  // since the last call
    std::uint64_t uss = 0;
    const ProcessKey* key = nullptr;
    Process* process = nullptr;
  };
  std::vector<std::vector<Candidate>> by_label(label_totals_.size());
  for (auto& [key, process] : processes_) {
    const std::uint64_t runtime = process.total.runtime_ns;
    const std::uint64_t cpu = runtime - std::min(runtime, process.top_runtime_mark);
    process.top_runtime_mark = runtime;
    if (process.exited || process.label >= by_label.size()) continue;
    by_label[process.label].push_back({cpu, process.memory ? process.memory->uss : 0, &key, &process});
  }
  std::vector<std::vector<TopProcess>> result(by_label.size());
  for (std::size_t label = 0; label < by_label.size(); ++label) {
    std::vector<Candidate>& candidates = by_label[label];
    std::vector<const Candidate*> chosen;
    // The n highest of one measure, those with none left out; ties to the lower pid.
    const auto take = [&](auto measure) {
      const std::size_t count = std::min(n, candidates.size());
      std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(count), candidates.end(),
                        [&](const Candidate& a, const Candidate& b) {
                          return measure(a) != measure(b) ? measure(a) > measure(b) : a.key->pid < b.key->pid;
                        });
      for (std::size_t index = 0; index < count && measure(candidates[index]) > 0; ++index) {
        if (std::find_if(chosen.begin(), chosen.end(), [&](const Candidate* seen) {
              return seen->key == candidates[index].key;
            }) == chosen.end())
          chosen.push_back(&candidates[index]);
      }
    };
    take([](const Candidate& candidate) { return candidate.cpu; });
    std::vector<TopProcess> by_cpu;
    for (const Candidate* candidate : chosen)
      by_cpu.push_back({*candidate->key, unsettled_now(*candidate->process).runtime_ns, candidate->process->gauges,
                        candidate->process->memory});
    chosen.clear();  // the sort below moves the candidates
    take([](const Candidate& candidate) { return candidate.uss; });
    for (const Candidate* candidate : chosen)
      if (std::none_of(by_cpu.begin(), by_cpu.end(), [&](const TopProcess& top) { return top.key == *candidate->key; }))
        by_cpu.push_back({*candidate->key, unsettled_now(*candidate->process).runtime_ns, candidate->process->gauges,
                          candidate->process->memory});
    std::sort(by_cpu.begin(), by_cpu.end(), [](const TopProcess& a, const TopProcess& b) { return a.key < b.key; });
    result[label] = std::move(by_cpu);
  }
  return result;
}

std::vector<std::unordered_map<std::uint64_t, std::uint64_t>> ProcessAccounts::wchan_counts(
    const std::vector<bool>& wanted) const {
  std::vector<std::unordered_map<std::uint64_t, std::uint64_t>> by_label(wanted.size());
  for (const auto& [key, process] : processes_) {
    if (process.exited || process.label >= wanted.size() || !wanted[process.label]) continue;
    for (const auto& thread : process.threads)
      if (thread.value.wchan != 0) ++by_label[process.label][thread.value.wchan];
  }
  return by_label;
}

void ProcessAccounts::forget_label(std::uint32_t label) {
  if (label < exited_by_name_.size()) exited_by_name_[label].clear();
}

bool ProcessAccounts::exited(const ProcessKey& key) const {
  auto found = processes_.find(key);
  return found == processes_.end() || found->second.exited;
}

const ProcessGauges* ProcessAccounts::live_gauges(const ProcessKey& key) const {
  auto found = processes_.find(key);
  return found == processes_.end() || found->second.exited ? nullptr : &found->second.gauges;
}

void ProcessAccounts::forget(const ProcessKey& key) {
  auto found = processes_.find(key);
  if (found == processes_.end()) return;
  const Process& process = found->second;
  const Contribution& contributed = process.contributed;
  count(contributed, process.dirty != kClean ? dirty_[process.dirty].counted : unsettled_now(process), process, false);
  if (process.dirty != kClean) dirty_[process.dirty].key = ProcessKey{0, 0};  // skipped by label_totals
  if (contributed.live()) update_worst_fd_ratio(contributed.label, found->second.gauges.fd_ratio(), std::nullopt);
  processes_.erase(found);
}

ProcessAccounts::Contribution ProcessAccounts::contribution_of(const ProcessKey& key, Process& process,
                                                              Counters& unsettled) {
  Contribution contribution;
  contribution.label = process.label;
  unsettled = Counters{};
  if (process.label == kNoLabel) return contribution;
  const ProcessUsage usage = usage_of(key, process);
  contribution.exited = usage.exited;
  contribution.threads = static_cast<std::uint32_t>(usage.live_threads);
  contribution.start_ns = key.start_ns;
  unsettled = usage.unsettled;
  contribution.with_memory = !usage.exited && usage.memory.has_value();
  contribution.state = usage.state;
  contribution.thread_states = usage.thread_states;
  return contribution;
}

// Adds a contribution to its label's totals, or takes it away again (exactly what was added; the
// worst fd ratio, which cannot be taken away, is the caller's: update_worst_fd_ratio).
void ProcessAccounts::count(const Contribution& contribution, const Counters& unsettled, const Process& process,
                            bool add) {
  if (contribution.label == kNoLabel) return;
  if (contribution.label >= label_totals_.size()) {
    label_totals_.resize(contribution.label + 1);
    oldest_stale_.resize(contribution.label + 1);
    worst_fd_stale_.resize(contribution.label + 1);
  }
  LabelTotals& totals = label_totals_[contribution.label];
  const auto apply = [add](std::uint64_t& total, std::uint64_t value) { total = add ? total + value : total - value; };
  if (add) totals.unsettled += unsettled;
  else totals.unsettled -= unsettled;
  if (contribution.exited) {
    apply(totals.exits, 1);
    return;
  }
  apply(totals.processes, 1);
  apply(totals.threads, contribution.threads);
  if (contribution.with_memory) {
    if (add) totals.memory += *process.memory;
    else totals.memory -= *process.memory;
    apply(totals.with_memory, 1);
  }
  GaugeTotals& gauges = totals.gauges;
  apply(gauges.virtual_bytes, process.gauges.virtual_bytes);
  apply(gauges.resident_bytes, process.gauges.resident_bytes);
  apply(gauges.resident_file_bytes, process.gauges.resident_file_bytes);
  apply(gauges.resident_anon_bytes, process.gauges.resident_anon_bytes);
  apply(gauges.resident_shmem_bytes, process.gauges.resident_shmem_bytes);
  apply(gauges.swap_bytes, process.gauges.swap_bytes);
  apply(gauges.open_fds, process.gauges.open_fds);
  apply(gauges.process_states[static_cast<std::size_t>(contribution.state)], 1);
  for (std::size_t state = 0; state < kThreadStates; ++state)
    apply(gauges.thread_states[state], contribution.thread_states[state]);
  if (add) {
    // The value is someone's again (a member re-counted after a change): it is not stale.
    if (totals.oldest_start_ns == 0 || contribution.start_ns <= totals.oldest_start_ns) {
      totals.oldest_start_ns = contribution.start_ns;
      oldest_stale_[contribution.label] = false;
    }
  } else if (contribution.start_ns == totals.oldest_start_ns) {
    // Its last live process needs no search (short-lived processes alone in their group).
    if (totals.processes == 0) totals.oldest_start_ns = 0;
    else oldest_stale_[contribution.label] = true;
  }
}

// Raised at once; lowered by a search (recompute_stale) only when the process that held the
// worst ratio went lower or left, which is rarer than its fds changing.
void ProcessAccounts::update_worst_fd_ratio(std::uint32_t label, std::optional<double> before,
                                            std::optional<double> after) {
  double& worst = label_totals_[label].gauges.worst_fd_ratio;
  if (after && *after >= worst) {
    worst = *after;
    return;
  }
  if (before && *before >= worst && (!after || *after < *before)) worst_fd_stale_[label] = true;
}

// The oldest live process and the worst fd ratio of each label whose holder left or went lower:
// one walk of the table, only when one did (rare next to the other changes).
void ProcessAccounts::recompute_stale() {
  bool any = false;
  for (std::size_t label = 0; label < oldest_stale_.size(); ++label) {
    if (oldest_stale_[label]) label_totals_[label].oldest_start_ns = 0;
    if (worst_fd_stale_[label]) label_totals_[label].gauges.worst_fd_ratio = 0;
    any = any || oldest_stale_[label] || worst_fd_stale_[label];
  }
  if (!any) return;
  for (const auto& [key, process] : processes_) {
    const Contribution& contribution = process.contributed;
    if (!contribution.live()) continue;
    LabelTotals& totals = label_totals_[contribution.label];
    if (oldest_stale_[contribution.label] && (totals.oldest_start_ns == 0 || contribution.start_ns < totals.oldest_start_ns))
      totals.oldest_start_ns = contribution.start_ns;
    if (worst_fd_stale_[contribution.label])
      totals.gauges.worst_fd_ratio = std::max(totals.gauges.worst_fd_ratio, process.gauges.fd_ratio());
  }
  std::fill(oldest_stale_.begin(), oldest_stale_.end(), false);
  std::fill(worst_fd_stale_.begin(), worst_fd_stale_.end(), false);
}

const std::vector<ProcessAccounts::LabelTotals>& ProcessAccounts::label_totals() {
  Counters unsettled;
  for (const Dirty& dirty : dirty_) {
    auto found = processes_.find(dirty.key);
    if (found == processes_.end()) continue;  // forgotten
    Process& process = found->second;
    process.dirty = kClean;
    Contribution now = contribution_of(dirty.key, process, unsettled);
    count(process.contributed, dirty.counted, process, false);
    count(now, unsettled, process, true);
    const std::optional<double> ratio = process.gauges.fd_ratio();
    if (process.contributed.live() && now.live() && process.contributed.label == now.label) {
      update_worst_fd_ratio(now.label, ratio, ratio);  // the gauges moved it already, if at all
    } else {
      if (process.contributed.live()) update_worst_fd_ratio(process.contributed.label, ratio, std::nullopt);
      if (now.live()) update_worst_fd_ratio(now.label, std::nullopt, ratio);
    }
    process.contributed = std::move(now);
  }
  // A full pass makes every process dirty (160 bytes each): give that back rather than keep it.
  constexpr std::size_t kDirtyKept = 1024;
  if (dirty_.capacity() > kDirtyKept) std::vector<Dirty>().swap(dirty_);
  else dirty_.clear();
  recompute_stale();
  return label_totals_;
}

}  // namespace bpfproc
