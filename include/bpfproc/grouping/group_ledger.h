#pragma once
// The totals of every group, which never go down: what was credited to a group for good (the
// last usage and the exit of each member that is gone, and the CPU a member used before an exec
// moved it to another group), plus, at each report, what its current members used since.
//
// A group with no member left (live, or exited and still tracked) is kept for a retention time,
// so that rate() over the last scrapes still sees its final counters, then retired: it leaves
// the reports, and a group of the same name later starts from zero (a counter reset to
// Prometheus). Without this, every name a host ever produced would stay exported: a {{.PID}}
// template leaves one group per process that ever lived. A retired group's id is reused; no one
// holds it by then, since only members hold ids and it had none.
#include <cstdint>
#include <map>
#include <tuple>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bpfproc/accounting/counters.h"
#include "bpfproc/accounting/process_accounts.h"
#include "bpfproc/grouping/group_totals.h"

namespace bpfproc {

// A group's index in the ledger, in the order the groups were first named.
using GroupId = std::uint32_t;

class GroupLedger {
 public:
  // The group of that name (and subgroup: a catalogue group), opened with zero totals the first
  // time. Names are label values: the caller makes them valid UTF-8.
  // `cgroup`: the value of --group.cgroup-label, which splits groups by unit, container or cgroup.
  GroupId group(const std::string& name, const std::string& subgroup = {}, const std::string& cgroup = {});
  // The name of that label in reports (GroupTotals::cgroup_label_name): a literal.
  void set_cgroup_label_name(std::string_view name) { cgroup_label_name_ = name; }
  const std::string& name(GroupId group) const { return groups_.at(group).name; }
  const std::string& subgroup(GroupId group) const { return groups_.at(group).subgroup; }

  void credit(GroupId group, const Counters& counters);
  // A member is gone for good: its last unsettled usage, and its exit.
  void close_member(GroupId group, const Counters& last_usage);

  // One report: begin_report, add_member for each process a group still counts (or add_members
  // for their sums), finish_report.
  class Report {
   public:
    // A member still tracked: its unsettled usage, and its exit once it has exited, or its
    // process, threads and memory while it lives.
    void add_member(GroupId group, std::uint64_t start_ns, const ProcessUsage& usage);
    // All the members of a group at once, as ProcessAccounts keeps their sums.
    void add_members(GroupId group, const ProcessAccounts::LabelTotals& members);
    // Its threads by name (--threads), sorted by name.
    void set_thread_names(GroupId group, std::vector<ThreadNameTotals> threads);
    // Its threads by wchan, by name.
    void set_wchans(GroupId group, std::vector<std::pair<std::string, std::uint64_t>> wchans) {
      totals_.at(group).wchans = std::move(wchans);
    }
    // Its members exported one by one (--process.top-n), by pid.
    void set_top_processes(GroupId group, std::vector<ProcessTotals> processes);

   private:
    friend class GroupLedger;
    std::vector<GroupTotals> totals_;  // by GroupId
    std::vector<bool> has_members_;    // by GroupId: a member was added, live or exited
  };
  Report begin_report() const;
  // Keeps every counter at or above its last report (a safety net: per-process merging already
  // keeps every part monotonic) with user + system == runtime, and sorts the groups by name.
  // now_ns (any clock that does not go back) starts and ends groups' retention.
  std::vector<GroupTotals> finish_report(Report report, std::uint64_t now_ns = 0);

  // The groups retired since the last call: their ids will be reused.
  std::vector<GroupId> take_retired_ids() { return std::exchange(retired_ids_, {}); }

  // How long a group without members stays; the default never retires one.
  void set_retention(std::uint64_t retention_ns) { retention_ns_ = retention_ns; }
  std::size_t size() const { return group_by_name_.size() + group_by_subgroup_.size(); }
  // The group is broken down by thread name (a rule's threads: true), until it is retired.
  void break_down_threads(GroupId group) { groups_.at(group).threads = true; }
  bool threads_broken_down(GroupId group) const { return groups_.at(group).threads; }
  // New rules: no group is broken down until a rule asks for it again.
  void clear_thread_breakdowns() {
    for (Group& group : groups_) group.threads = false;
  }
  // Ids in use or free: a report has this many entries.
  std::size_t capacity() const { return groups_.size(); }
  std::uint64_t retired() const { return retired_; }

 private:
  struct Group {
    std::string name;
    std::string subgroup;
    std::string cgroup;
    Counters credited;
    std::uint64_t exits = 0;  // of closed members
    Counters last_reported;
    std::uint64_t idle_since_ns = 0;  // the report that first found it without members; 0: has some
    bool retired = false;             // its id is free
    bool threads = false;             // break_down_threads
  };

  std::vector<Group> groups_;
  std::unordered_map<std::string, GroupId> group_by_name_;  // groups without a subgroup or cgroup
  // Catalogue groups and groups split by cgroup, apart: a rule's name may be any string, so no
  // joined key is safe.
  std::map<std::tuple<std::string, std::string, std::string>, GroupId> group_by_subgroup_;
  std::vector<GroupId> free_ids_;
  std::vector<GroupId> retired_ids_;  // since take_retired_ids
  std::uint64_t retention_ns_ = UINT64_MAX;
  std::uint64_t retired_ = 0;
  std::string_view cgroup_label_name_;
};

}  // namespace bpfproc
