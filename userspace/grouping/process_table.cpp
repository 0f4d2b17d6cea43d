#include "bpfproc/grouping/process_table.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "bpfproc/util/clock.h"

namespace bpfproc {

ProcessTable::ProcessTable(Config config, GroupLimits limits, std::optional<std::int64_t> boot_time_unix_seconds)
    : thread_names_(config.any_threads()),
      all_thread_names_(config.threads),
      attribution_(std::move(config),
                   boot_time_unix_seconds.value_or(static_cast<std::int64_t>(bpfproc::boot_time_unix_seconds())), ledger_,
                   [this](const ProcessKey& key, std::optional<GroupId> group) {
                     accounts_.set_label(key, group ? *group : ProcessAccounts::kNoLabel);
                   }) {
  ledger_.set_retention(limits.retention_ns);
  attribution_.set_label_max_length(limits.label_max_length);
  accounts_.keep_thread_names(thread_names_);
  process_top_n_ = limits.process_top_n;
  max_tracked_ = limits.max_tracked_processes;
}

bool ProcessTable::admit(const ProcessKey& key) {
  if (accounts_.size() < max_tracked_ || accounts_.tracks(key)) return true;
  auto [refused, first] = refused_.try_emplace(key, full_scans_);
  if (first) ++processes_dropped_;
  else refused->second = full_scans_;
  return false;
}

void ProcessTable::begin_scan(std::uint64_t scan_time_ns, ProcessAccounts::Pass pass) {
  accounts_.begin_scan(scan_time_ns, pass);
  scan_time_ns_ = scan_time_ns;
  full_scan_ = pass == ProcessAccounts::Pass::full;
  ++scans_;
}

void ProcessTable::observe_task(const task_record& record) {
  if (!admit(ProcessKey::of(record))) return;
  if (accounts_.observe_task(record) == ProcessAccounts::Reading::new_process) attribution_.observe(record);
}

IdentityRequests ProcessTable::end_scan() {
  ProcessAccounts::ScanOutcome outcome = accounts_.end_scan();
  if (full_scan_) {
    // Gone: neither this scan nor an event since the previous one showed it. (Events drained
    // just before the records may show processes born after the iterator ran: they stay.)
    std::erase_if(refused_, [this](const auto& entry) { return entry.second < full_scans_; });
    ++full_scans_;
    full_scan_ = false;
  }
  // An exit is drained after its scan's records were read, so that scan and the next can still
  // hold a record of the process (read before the exit, or of its final switch).
  while (!refused_exits_.empty() && refused_exits_.front().second + 3 <= scans_) {
    refused_.erase(refused_exits_.front().first);
    refused_exits_.pop_front();
  }
  for (const ProcessKey& key : outcome.vanished) attribution_.on_exit(key);
  finished_ = std::move(outcome.finished);
  return attribution_.identity_requests();
}

void ProcessTable::credit_decided(const std::vector<Attribution::DecidedProgram>& decided) {
  for (const auto& [ticket, decision] : decided) {
    auto used = awaiting_credit_.extract(ticket);
    if (decision.group && !used.empty()) ledger_.credit(*decision.group, used.mapped());
  }
}

void ProcessTable::apply_identities(IdentityReplies replies) {
  credit_decided(attribution_.apply(std::move(replies)));
  for (const ProcessKey& key : finished_) {
    if (!attribution_.decided(key)) continue;  // kept: the next end_scan lists it again
    if (const std::optional<GroupId> group = attribution_.group_of(key))
      ledger_.close_member(*group, accounts_.settle(key));
    accounts_.forget(key);
    attribution_.forget(key);
  }
  finished_.clear();
}

void ProcessTable::reconfigure(Config config) {
  thread_names_ = config.any_threads();
  all_thread_names_ = config.threads;
  accounts_.keep_thread_names(thread_names_);
  ledger_.clear_thread_breakdowns();
  attribution_.reconfigure(std::move(config), [this](const ProcessKey& key, GroupId group) {
    ledger_.credit(group, accounts_.settle(key));
  });
  // Decides now what needs no /proc read, so that the next report already shows the new groups.
  credit_decided(attribution_.apply({}));
}

void ProcessTable::on_fork(const fork_event& event) {
  if (!admit({event.pid, event.start_ns})) return;
  accounts_.add_new_process({event.pid, event.start_ns});
  attribution_.on_fork(event);
}

void ProcessTable::on_exec(const exec_event& event) {
  if (!admit(ProcessKey::of(event.task))) return;
  accounts_.on_exec(event);
  // What the process used so far goes to the group of the program it leaves.
  const Counters used = accounts_.settle(ProcessKey::of(event.task));
  const Attribution::LeftProgram left = attribution_.on_exec(event);
  if (!left.decision) awaiting_credit_.emplace(left.ticket, used);
  else if (left.decision->group) ledger_.credit(*left.decision->group, used);
}

void ProcessTable::on_cgroup_move(const cgroup_move_event& event) {
  const ProcessKey key = ProcessKey::of(event.task);
  // Refused, gone, or grouped by rules that do not read the cgroup: nothing to split.
  if (!accounts_.tracks(key) || !attribution_.follows_cgroup_move(key)) return;
  // The moved task's counters at the move, applied as an exec's are (the same tid: no takeover).
  static thread_local exec_event reading;  // 1 KiB: kept off the stack of the poll loop
  reading.old_tid = event.task.tid;
  reading.task = event.task;
  accounts_.on_exec(reading);
  const Counters used = accounts_.settle(key);
  const Attribution::LeftProgram left = attribution_.on_cgroup_move(event);
  if (!left.decision) awaiting_credit_.emplace(left.ticket, used);
  else if (left.decision->group) ledger_.credit(*left.decision->group, used);
}

void ProcessTable::on_exit(const exit_event& event) {
  const ProcessKey key = ProcessKey::of(event.task);
  if (!admit(key)) {
    if (event.task.flags & TASK_RECORD_GROUP_DEAD) refused_exits_.emplace_back(key, scans_);
    return;
  }
  attribution_.observe(event.task);
  if (accounts_.on_exit(event)) attribution_.on_exit(key);
}

std::vector<GroupTotals> ProcessTable::collect_groups() {
  GroupLedger::Report report = ledger_.begin_report();
  const std::vector<ProcessAccounts::LabelTotals>& members = accounts_.label_totals();
  for (std::size_t group = 0; group < members.size(); ++group)
    report.add_members(static_cast<GroupId>(group), members[group]);
  if (thread_names_) add_thread_names(report);
  if (process_top_n_ > 0) add_top_processes(report);
  if (wchan_namer_) add_wchans(report);
  std::vector<GroupTotals> groups = ledger_.finish_report(std::move(report), scan_time_ns_);
  for (const GroupId retired : ledger_.take_retired_ids()) accounts_.forget_label(retired);
  return groups;
}

void ProcessTable::add_wchans(GroupLedger::Report& report) {
  const auto by_group = accounts_.wchan_counts(std::vector<bool>(ledger_.capacity(), true));
  for (std::size_t group = 0; group < by_group.size(); ++group) {
    std::map<std::string, std::uint64_t> by_name;  // addresses in one function share its name
    for (const auto& [address, threads] : by_group[group]) {
      std::string name = wchan_namer_(address);
      if (!name.empty()) by_name[std::move(name)] += threads;
    }
    report.set_wchans(static_cast<GroupId>(group), {by_name.begin(), by_name.end()});
  }
}

void ProcessTable::add_top_processes(GroupLedger::Report& report) {
  auto by_group = accounts_.top_processes(process_top_n_);
  for (std::size_t group = 0; group < by_group.size() && group < ledger_.capacity(); ++group) {
    std::vector<ProcessTotals> processes;
    for (const ProcessAccounts::TopProcess& top : by_group[group]) {
      ProcessTotals totals{top.key.pid, attribution_.program_comm(top.key), top.runtime_ns, top.gauges.resident_bytes};
      if (top.memory) {
        totals.has_memory = true;
        totals.uss_bytes = top.memory->uss;
        totals.pss_bytes = top.memory->pss;
      }
      processes.push_back(std::move(totals));
    }
    report.set_top_processes(static_cast<GroupId>(group), std::move(processes));
  }
}

void ProcessTable::add_thread_names(GroupLedger::Report& report) {
  std::vector<bool> wanted(ledger_.capacity(), all_thread_names_);
  for (std::size_t group = 0; group < wanted.size(); ++group)
    wanted[group] = wanted[group] || ledger_.threads_broken_down(static_cast<GroupId>(group));
  auto by_group = accounts_.thread_name_totals(wanted);
  for (std::size_t group = 0; group < by_group.size(); ++group) {
    std::vector<ThreadNameTotals> threads;
    for (ProcessAccounts::ThreadNameTotals& totals : by_group[group]) {
      if (totals.name == ThreadNames::kNone) continue;
      threads.push_back({accounts_.thread_name(totals.name), totals.live_threads, std::move(totals.counters)});
    }
    std::sort(threads.begin(), threads.end(),
              [](const ThreadNameTotals& a, const ThreadNameTotals& b) { return a.name < b.name; });
    report.set_thread_names(static_cast<GroupId>(group), std::move(threads));
  }
}

std::vector<MemoryCandidate> ProcessTable::memory_candidates() const {
  std::vector<MemoryCandidate> candidates;
  attribution_.each_grouped([&](const ProcessKey& key, GroupId) {
    if (const ProcessGauges* gauges = accounts_.live_gauges(key)) candidates.push_back({key, gauges->resident_bytes});
  });
  return candidates;
}

}  // namespace bpfproc
