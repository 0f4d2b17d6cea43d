#pragma once
// Which group each process belongs to: its identity (from the lifecycle events and the iterator,
// and from /proc while it lives), the configuration's rules, `children` inheritance through
// parents, and the exclusion of kernel threads. It performs no I/O: the /proc identities and the
// user names it needs are asked for (identity_requests) and handed to it (apply).
//
// A program's group is decided once, as soon as what it depends on is in: the identity /proc
// gives of a live process, the name of its uid when a rule's name uses {{.Username}}, and its
// parent's group when no rule matches it. Until then the process is in no group (its usage is
// not settled, so it counts in full once the group is decided). At an exec, the program left
// behind is decided from what is known then; when it cannot be yet, it waits under a ticket that
// a later apply() decides.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bpfproc/accounting/process_accounts.h"
#include "bpfproc/grouping/config.h"
#include "bpfproc/grouping/group_ledger.h"
#include "bpfproc/grouping/identity_pool.h"
#include "bpfproc/grouping/identity_requests.h"
#include "bpfproc/kernel/event_sink.h"
#include "bpfproc/kernel/exec_context.h"
#include "bpfproc/procfs/process_identity.h"

namespace bpfproc {

class Attribution {
 public:
  // A decided group: a group, or none (a kernel thread, or matched by no rule and no ancestor).
  struct Decision {
    std::optional<GroupId> group;
  };
  // The program a process left at exec: decided then, or pending under a ticket.
  struct LeftProgram {
    std::optional<Decision> decision;
    std::uint64_t ticket = 0;  // when undecided: the ticket apply() decides it under
  };
  struct DecidedProgram {
    std::uint64_t ticket = 0;
    Decision decision;
  };

  // Called whenever a process's current program gets its decision (group, or none) or loses it
  // at exec (nullopt): the owner mirrors groups with the counters (ProcessAccounts::set_label).
  using DecisionListener = std::function<void(const ProcessKey& key, std::optional<GroupId> group)>;
  // The path of a cgroup v2 id, as the fork and exec events carry it; nullopt when unknown.
  using CgroupResolver = std::function<std::optional<std::string>(std::uint64_t cgroup_id)>;

  // Groups are named in `groups`, which must outlive this. The boot time is /proc/stat's btime
  // (whole seconds), from which process-exporter computes {{.StartTime}}.
  Attribution(Config config, std::int64_t boot_time_unix_seconds, GroupLedger& groups, DecisionListener listener = {});

  // A process the iterator or an event shows; added with its parent pid, comm and uid when new.
  void observe(const task_record& record);
  void on_fork(const fork_event& event);
  LeftProgram on_exec(const exec_event& event);
  // What /proc would show of the program just exec'd (its executable, cwd, cgroups): used until
  // /proc answers, and for good if the process is gone by then.
  void on_exec_context(const ExecContext& context);
  // Whether a cgroup move of this process can change its group: the rules read the cgroup and
  // it is tracked. Then on_cgroup_move decides its program again, as at an exec, and returns the
  // program it leaves as on_exec does.
  bool follows_cgroup_move(const ProcessKey& key) const {
    return identity_parts_.cgroup && members_.contains(key);
  }
  LeftProgram on_cgroup_move(const cgroup_move_event& event);
  void on_exit(const ProcessKey& key);  // its last thread exited, or it vanished
  void forget(const ProcessKey& key);

  // New rules (a reload). Every live process's current program is decided again under them, as
  // at an exec: `leaving(key, group)` is called first for each one that was in a group, so that
  // its owner credits that group with what it used so far (CPU follows the group a process had
  // when it used it). Exited processes keep their group: they used nothing since, and leave the
  // table at the next scan. Decisions are taken at the next apply(), from identities /proc is
  // asked for again when the new rules read parts of them the old ones did not.
  using LeavingGroup = std::function<void(const ProcessKey& key, GroupId group)>;
  void reconfigure(Config config, const LeavingGroup& leaving);

  // Live undecided processes whose identity /proc was not asked for yet (now awaited), and the
  // uids whose names are missing. apply() must answer every process requested.
  IdentityRequests identity_requests();
  // Takes the replies, then decides all it can. Returns the programs left at exec decided now.
  std::vector<DecidedProgram> apply(IdentityReplies replies);  // by value: identities move in

  // The group of a process's current program; nullopt while undecided or when in none.
  std::optional<GroupId> group_of(const ProcessKey& key) const;
  // The comm of its current program; empty when not tracked.
  std::string program_comm(const ProcessKey& key) const;
  // Whether its current program and every program it left are decided (true when not tracked).
  bool decided(const ProcessKey& key) const;
  // visit(key, group) for every process whose current program is in a group.
  template <typename Visit>
  void each_grouped(Visit visit) const {
    for (const auto& [key, member] : members_)
      if (member.decision && member.decision->group) visit(key, *member.decision->group);
  }
  std::size_t size() const { return members_.size(); }

  // Group names longer than this are cut (on a character boundary): a name can come from a
  // command line, which any user sets, and one of 1 MiB would make every scrape 1 MiB.
  void set_label_max_length(std::size_t bytes) { label_max_length_ = bytes; }
  std::uint64_t labels_truncated() const { return labels_truncated_; }
  // With rules that read the cgroup (IdentityParts::cgroup): the cgroup of a process seen at a
  // fork or exec, until /proc answers, and for good when it is gone by then.
  void resolve_cgroups(CgroupResolver resolver) { cgroup_resolver_ = std::move(resolver); }
  // Cgroup ids of events that the resolver could not turn into a path (those processes are
  // named from their parent's cgroup at a fork, or their own before an exec or move), and
  // /proc/PID/cgroup files that could not be read or parsed (their cgroup fields are empty).
  std::uint64_t cgroups_unresolved() const { return cgroups_unresolved_; }
  // Exec contexts whose paths the kernel side had to cut (longer than PATH_MAX, or too deep).
  std::uint64_t exec_contexts_truncated() const { return exec_contexts_truncated_; }

 private:
  // Identities are shared (identity_pool.h): the pid and start time in one are those of the
  // process that brought it in, so a decision takes them from the key (decide).
  using SharedIdentity = IdentityPool::Shared;
  struct PendingProgram {
    std::uint64_t ticket = 0;
    SharedIdentity identity;
  };
  struct Member {
    ProcessKey parent;                  // start_ns 0 when only the parent pid is known
    SharedIdentity identity;            // of the current program; never null
    bool identity_read = false;         // /proc answered for the current program (maybe "gone")
    bool awaiting_identity = false;     // requested, not answered yet
    bool exited = false;
    std::optional<Decision> decision;   // of the current program
    std::vector<PendingProgram> left;   // programs it left at exec, not decided yet
  };
  using Members = std::unordered_map<ProcessKey, Member, ProcessKeyHash>;

  Member& find_or_add(const ProcessKey& key, const task_record* record);
  // The current program's decision, taken now if it can be; nullopt while it cannot.
  std::optional<Decision> decide_current(const ProcessKey& key, Member& member, int depth);
  // The decision for one of member's programs from what is known now; nullopt when a user name
  // or the parent's group is missing.
  std::optional<Decision> decide(const ProcessKey& key, const Member& member, const ProcessIdentity& identity,
                                 int depth);
  Members::iterator parent_of(const ProcessKey& key, const Member& member);
  // The value of --group.cgroup-label for a process; empty without the flag.
  std::string cgroup_label_of(const ProcessIdentity& identity) const;
  // Sets identity's cgroup from an event's cgroup id when it names another cgroup than the one
  // identity has; false when nothing changed.
  bool take_cgroup(ProcessIdentity& identity, std::uint64_t cgroup_id);

  Config config_;
  bool needs_user_names_;
  IdentityParts identity_parts_;         // what /proc reads beyond the basic identity
  std::int64_t boot_time_unix_seconds_;  // for {{.StartTime}}
  GroupLedger& groups_;
  DecisionListener listener_;
  IdentityPool identities_;
  Members members_;
  std::unordered_map<std::uint32_t, ProcessKey> newest_by_pid_;  // for parents known by pid only
  std::unordered_set<ProcessKey, ProcessKeyHash> undecided_;     // members with a program to decide
  std::unordered_map<std::uint32_t, std::string> user_names_;    // every name applied so far
  std::uint64_t next_ticket_ = 1;
  std::size_t label_max_length_ = SIZE_MAX;
  std::uint64_t labels_truncated_ = 0;
  std::uint64_t exec_contexts_truncated_ = 0;
  CgroupResolver cgroup_resolver_;
  std::uint64_t cgroups_unresolved_ = 0;
};

}  // namespace bpfproc
