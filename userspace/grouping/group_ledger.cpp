#include "bpfproc/grouping/group_ledger.h"

#include <algorithm>
#include <tuple>

namespace bpfproc {

GroupId GroupLedger::group(const std::string& name, const std::string& subgroup, const std::string& cgroup) {
  const bool plain = subgroup.empty() && cgroup.empty();
  if (plain) {
    auto found = group_by_name_.find(name);
    if (found != group_by_name_.end()) return found->second;
  } else {
    auto found = group_by_subgroup_.find({name, subgroup, cgroup});
    if (found != group_by_subgroup_.end()) return found->second;
  }
  GroupId id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
    groups_[id] = Group{name, subgroup, cgroup, {}, 0, {}, 0, false};
  } else {
    id = static_cast<GroupId>(groups_.size());
    groups_.push_back(Group{name, subgroup, cgroup, {}, 0, {}, 0, false});
  }
  if (plain) group_by_name_.emplace(name, id);
  else group_by_subgroup_.emplace(std::make_tuple(name, subgroup, cgroup), id);
  return id;
}

void GroupLedger::credit(GroupId group, const Counters& counters) { groups_.at(group).credited += counters; }

void GroupLedger::close_member(GroupId group, const Counters& last_usage) {
  credit(group, last_usage);
  ++groups_.at(group).exits;
}

void GroupLedger::Report::add_member(GroupId group, std::uint64_t start_ns, const ProcessUsage& usage) {
  GroupTotals& totals = totals_.at(group);
  has_members_.at(group) = true;
  totals.counters += usage.unsettled;
  if (usage.exited) {
    ++totals.exits;
    return;
  }
  ++totals.processes;
  totals.threads += usage.live_threads;
  totals.gauges += GaugeTotals::of(usage.gauges, usage.thread_states, usage.state);
  if (totals.oldest_start_ns == 0 || start_ns < totals.oldest_start_ns) totals.oldest_start_ns = start_ns;
  if (usage.memory) {
    totals.memory += *usage.memory;
    totals.has_memory = true;
  }
}

void GroupLedger::Report::add_members(GroupId group, const ProcessAccounts::LabelTotals& members) {
  GroupTotals& totals = totals_.at(group);
  if (members.processes > 0 || members.exits > 0) has_members_.at(group) = true;
  totals.counters += members.unsettled;
  totals.exits += members.exits;
  totals.processes += members.processes;
  totals.threads += members.threads;
  totals.gauges += members.gauges;
  if (members.oldest_start_ns != 0 &&
      (totals.oldest_start_ns == 0 || members.oldest_start_ns < totals.oldest_start_ns))
    totals.oldest_start_ns = members.oldest_start_ns;
  if (members.with_memory > 0) {
    totals.memory += members.memory;
    totals.has_memory = true;
  }
}

void GroupLedger::Report::set_thread_names(GroupId group, std::vector<ThreadNameTotals> threads) {
  totals_.at(group).thread_names = std::move(threads);
}

void GroupLedger::Report::set_top_processes(GroupId group, std::vector<ProcessTotals> processes) {
  totals_.at(group).top_processes = std::move(processes);
}

GroupLedger::Report GroupLedger::begin_report() const {
  Report report;
  report.totals_.resize(groups_.size());
  report.has_members_.resize(groups_.size());
  for (std::size_t index = 0; index < groups_.size(); ++index) {
    report.totals_[index].name = groups_[index].name;
    report.totals_[index].subgroup = groups_[index].subgroup;
    report.totals_[index].cgroup_label = groups_[index].cgroup;
    report.totals_[index].cgroup_label_name = cgroup_label_name_;
    report.totals_[index].counters = groups_[index].credited;
    report.totals_[index].exits = groups_[index].exits;
  }
  return report;
}

std::vector<GroupTotals> GroupLedger::finish_report(Report report, std::uint64_t now_ns) {
  std::vector<GroupTotals>& totals = report.totals_;
  std::vector<bool> leaves(totals.size());
  for (std::size_t index = 0; index < totals.size(); ++index) {
    Group& group = groups_[index];
    if (group.retired) {
      leaves[index] = true;
      continue;
    }
    if (report.has_members_[index]) {
      group.idle_since_ns = 0;
    } else if (group.idle_since_ns == 0) {
      group.idle_since_ns = std::max<std::uint64_t>(now_ns, 1);
    } else if (now_ns >= group.idle_since_ns && now_ns - group.idle_since_ns >= retention_ns_) {
      if (group.subgroup.empty() && group.cgroup.empty()) group_by_name_.erase(group.name);
      else group_by_subgroup_.erase({group.name, group.subgroup, group.cgroup});
      group = Group{};
      group.retired = true;
      free_ids_.push_back(static_cast<GroupId>(index));
      retired_ids_.push_back(static_cast<GroupId>(index));
      ++retired_;
      leaves[index] = true;
      continue;
    }
    Counters& counters = totals[index].counters;
    counters.merge_max(groups_[index].last_reported);
    const std::uint64_t split_sum = counters.user_ns + counters.system_ns;
    if (split_sum > counters.runtime_ns) counters.runtime_ns = split_sum;
    else counters.system_ns += counters.runtime_ns - split_sum;
    groups_[index].last_reported = counters;
  }
  std::size_t kept = 0;
  for (std::size_t index = 0; index < totals.size(); ++index) {
    if (leaves[index]) continue;
    if (kept != index) totals[kept] = std::move(totals[index]);
    ++kept;
  }
  totals.resize(kept);
  std::sort(totals.begin(), totals.end(),
            [](const GroupTotals& a, const GroupTotals& b) {
              return std::tie(a.name, a.subgroup, a.cgroup_label) < std::tie(b.name, b.subgroup, b.cgroup_label);
            });
  return std::move(totals);
}

}  // namespace bpfproc
