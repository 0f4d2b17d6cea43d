#include "bpfproc/grouping/attribution.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <string_view>

#include "bpfproc/procfs/proc_cmdline.h"
#include "bpfproc/util/clock.h"
#include "bpfproc/util/utf8.h"

namespace bpfproc {
namespace {

constexpr int kMaxAncestry = 256;  // far deeper than real trees; stops a corrupt parent cycle

std::string comm_of(const char (&comm)[TASK_COMM_SIZE]) {
  return std::string(comm, strnlen(comm, TASK_COMM_SIZE));
}

}  // namespace

Attribution::Attribution(Config config, std::int64_t boot_time_unix_seconds, GroupLedger& groups,
                         DecisionListener listener)
    : config_(std::move(config)),
      needs_user_names_(config_.needs_user_names()),
      identity_parts_(config_.identity_parts()),
      boot_time_unix_seconds_(boot_time_unix_seconds),
      groups_(groups),
      listener_(std::move(listener)) {
  groups_.set_cgroup_label_name(cgroup_label_name(config_.cgroup_label));
}

Attribution::Member& Attribution::find_or_add(const ProcessKey& key, const task_record* record) {
  auto [found, inserted] = members_.try_emplace(key);
  Member& member = found->second;
  if (!inserted) return member;

  ProcessIdentity identity;
  identity.pid = static_cast<int>(key.pid);
  identity.start_time_ns = key.start_ns;
  if (record != nullptr) {
    member.parent = {record->parent_tgid, 0};
    identity.comm = comm_of(record->comm);
    identity.uid = record->uid;
  }
  member.identity = identities_.intern(std::move(identity));
  ProcessKey& newest = newest_by_pid_[key.pid];
  if (newest.start_ns <= key.start_ns) newest = key;
  undecided_.insert(key);
  return member;
}

void Attribution::observe(const task_record& record) { find_or_add(ProcessKey::of(record), &record); }

void Attribution::on_fork(const fork_event& event) {
  Member& member = find_or_add({event.pid, event.start_ns}, nullptr);
  member.parent = {event.parent_tgid, event.parent_start_ns};
  std::string comm = comm_of(event.comm);
  // Until it execs, a child runs its parent's program: it inherits the parent's identity.
  auto parent = members_.find(member.parent);
  if (parent != members_.end() && parent->second.identity->comm == comm) {
    member.identity = parent->second.identity;
    // Forked into another cgroup (clone3 CLONE_INTO_CGROUP), or the parent's is not known yet.
    ProcessIdentity identity = *member.identity;
    if (take_cgroup(identity, event.cgroup_id)) member.identity = identities_.intern(std::move(identity));
    return;
  }
  ProcessIdentity identity = *member.identity;
  identity.comm = std::move(comm);
  if (parent != members_.end()) {
    const ProcessIdentity& parent_identity = *parent->second.identity;
    identity.exe_path = parent_identity.exe_path;
    identity.argv = parent_identity.argv;
    identity.uid = parent_identity.uid;
    identity.cwd = parent_identity.cwd;          // a fork starts where its parent is
    identity.cgroups = parent_identity.cgroups;  // and in its cgroups
    identity.cgroup = parent_identity.cgroup;
  }
  (void)take_cgroup(identity, event.cgroup_id);  // whether it changed or not, identity is new
  member.identity = identities_.intern(std::move(identity));
}

bool Attribution::take_cgroup(ProcessIdentity& identity, std::uint64_t cgroup_id) {
  if (!cgroup_resolver_ || !identity_parts_.cgroup || cgroup_id == 0) return false;
  const std::optional<std::string> path = cgroup_resolver_(cgroup_id);
  if (!path) {
    ++cgroups_unresolved_;
    return false;
  }
  // Same path: keep what /proc gave, which has the v1 fallbacks of hybrid hosts.
  if (*path == identity.cgroup.path) return false;
  identity.cgroup = cgroup_fields_of_path(*path);
  return true;
}

Attribution::LeftProgram Attribution::on_exec(const exec_event& event) {
  const task_record& record = event.task;
  const ProcessKey key = ProcessKey::of(record);
  Member& member = find_or_add(key, &record);

  // The program it leaves is decided from what is known now, without /proc: /proc already shows
  // the new program, and a reply on its way could describe either, so it is no longer awaited.
  member.awaiting_identity = false;
  LeftProgram left;
  left.decision = member.decision ? member.decision : decide(key, member, *member.identity, 0);
  if (!left.decision) {
    left.ticket = next_ticket_++;
    member.left.push_back({left.ticket, member.identity});
  }

  ProcessIdentity identity;
  identity.pid = static_cast<int>(key.pid);
  identity.start_time_ns = key.start_ns;
  identity.comm = comm_of(record.comm);
  identity.uid = record.uid;
  identity.exe_path.assign(event.filename, strnlen(event.filename, sizeof(event.filename)));
  const std::size_t args_size = std::min<std::size_t>(event.args_size, sizeof(event.args));
  identity.argv = parse_cmdline(std::string_view(event.args, args_size));
  identity.cgroup = member.identity->cgroup;  // an exec keeps the cgroup
  (void)take_cgroup(identity, event.cgroup_id);
  member.identity = identities_.intern(std::move(identity));
  member.identity_read = false;
  member.decision.reset();
  if (listener_) listener_(key, std::nullopt);
  undecided_.insert(key);
  return left;
}

void Attribution::on_exec_context(const ExecContext& context) {
  auto found = members_.find({context.pid, context.start_ns});
  // Nothing to add when /proc has answered for this program already (it says the same, later).
  if (found == members_.end() || found->second.identity_read) return;
  Member& member = found->second;
  ProcessIdentity identity = *member.identity;
  if (!context.exe_path.empty()) identity.exe_path = context.exe_path;
  identity.cwd = context.cwd;
  identity.cgroups = context.cgroups;
  member.identity = identities_.intern(std::move(identity));
  if (context.truncated) ++exec_contexts_truncated_;
}

Attribution::LeftProgram Attribution::on_cgroup_move(const cgroup_move_event& event) {
  const ProcessKey key = ProcessKey::of(event.task);
  Member& member = find_or_add(key, &event.task);
  LeftProgram left;
  left.decision = member.decision ? member.decision : decide(key, member, *member.identity, 0);
  if (!left.decision) {
    left.ticket = next_ticket_++;
    member.left.push_back({left.ticket, member.identity});
  }
  ProcessIdentity identity = *member.identity;
  if (!take_cgroup(identity, event.cgroup_id)) {
    // The path is unknown (or the same): /proc says where it is now.
    member.identity_read = false;
  }
  member.awaiting_identity = false;  // a reply on its way may predate the move
  member.identity = identities_.intern(std::move(identity));
  member.decision.reset();
  if (listener_) listener_(key, std::nullopt);
  undecided_.insert(key);
  return left;
}

void Attribution::on_exit(const ProcessKey& key) {
  auto found = members_.find(key);
  if (found == members_.end()) return;
  found->second.exited = true;
  // Decided now when it can be, so that its exit counts at once; otherwise at the next apply().
  decide_current(key, found->second, 0);
}

void Attribution::forget(const ProcessKey& key) {
  members_.erase(key);
  undecided_.erase(key);
  auto newest = newest_by_pid_.find(key.pid);
  if (newest != newest_by_pid_.end() && newest->second == key) newest_by_pid_.erase(newest);
}

void Attribution::reconfigure(Config config, const LeavingGroup& leaving) {
  const IdentityParts old_parts = identity_parts_;
  config_ = std::move(config);
  needs_user_names_ = config_.needs_user_names();
  identity_parts_ = config_.identity_parts();
  groups_.set_cgroup_label_name(cgroup_label_name(config_.cgroup_label));
  // Identities read without a part the new rules read must be read again.
  const bool reread = (identity_parts_.cwd && !old_parts.cwd) || (identity_parts_.cgroups && !old_parts.cgroups) ||
                      (identity_parts_.cgroup && !old_parts.cgroup);
  for (auto& [key, member] : members_) {
    if (member.exited) continue;
    if (reread && !member.awaiting_identity) member.identity_read = false;
    if (!member.decision) continue;
    if (member.decision->group && leaving) leaving(key, *member.decision->group);
    member.decision.reset();
    if (listener_) listener_(key, std::nullopt);
    undecided_.insert(key);
  }
}

IdentityRequests Attribution::identity_requests() {
  IdentityRequests requests;
  requests.parts = identity_parts_;
  std::set<std::uint32_t> uids;
  const auto want_name = [&](std::uint32_t uid) {
    if (needs_user_names_ && !user_names_.contains(uid)) uids.insert(uid);
  };
  for (const ProcessKey& key : undecided_) {
    Member& member = members_.at(key);
    if (!member.decision) {
      if (!member.exited && !member.identity_read && !member.awaiting_identity) {
        requests.processes.push_back(key);
        member.awaiting_identity = true;
      }
      want_name(member.identity->uid);
    }
    for (const PendingProgram& program : member.left) want_name(program.identity->uid);
  }
  requests.uids.assign(uids.begin(), uids.end());
  return requests;
}

std::vector<Attribution::DecidedProgram> Attribution::apply(IdentityReplies replies) {
  for (auto& [uid, name] : replies.user_names) user_names_.try_emplace(uid, std::move(name));
  for (auto& [key, identity] : replies.identities) {
    auto found = members_.find(key);
    // Not awaited any more when it was forgotten or exec'd since it was requested.
    if (found == members_.end() || !found->second.awaiting_identity) continue;
    Member& member = found->second;
    member.awaiting_identity = false;
    member.identity_read = true;
    if (identity && identity->cgroup.unreadable && identity_parts_.cgroup) ++cgroups_unresolved_;
    if (identity) member.identity = identities_.intern(std::move(*identity));
  }

  std::vector<DecidedProgram> decided;
  const std::vector<ProcessKey> undecided(undecided_.begin(), undecided_.end());
  for (const ProcessKey& key : undecided) {
    Member& member = members_.at(key);
    decide_current(key, member, 0);
    std::erase_if(member.left, [&](const PendingProgram& program) {
      const std::optional<Decision> decision = decide(key, member, *program.identity, 0);
      if (decision) decided.push_back({program.ticket, *decision});
      return decision.has_value();
    });
    if (member.decision && member.left.empty()) undecided_.erase(key);
  }
  return decided;
}

std::optional<Attribution::Decision> Attribution::decide_current(const ProcessKey& key, Member& member, int depth) {
  if (member.decision) return member.decision;
  if (depth > kMaxAncestry) return Decision{};
  // A live process is decided from what /proc says of it: it waits until /proc has answered.
  if (member.awaiting_identity || (!member.exited && !member.identity_read)) return std::nullopt;
  member.decision = decide(key, member, *member.identity, depth);
  if (member.decision && listener_) listener_(key, member.decision->group);
  return member.decision;
}

std::optional<Attribution::Decision> Attribution::decide(const ProcessKey& key, const Member& member,
                                                         const ProcessIdentity& identity, int depth) {
  if (identity.pid != static_cast<int>(key.pid) || identity.start_time_ns != key.start_ns) {
    // Shared with the process it was read for: names rendered from it ({{.PID}}) must be ours.
    ProcessIdentity own = identity;
    own.pid = static_cast<int>(key.pid);
    own.start_time_ns = key.start_ns;
    return decide(key, member, own, depth);
  }
  if (identity.kernel_thread && !config_.kernel_threads) return Decision{};
  static const std::string kUnused;  // the user name when no rule renders {{.Username}}
  const std::string* username = &kUnused;
  if (needs_user_names_) {
    auto name = user_names_.find(identity.uid);
    if (name == user_names_.end()) return std::nullopt;  // the next identity_requests() asks for it
    username = &name->second;
  }
  // process-exporter: btime plus the start time in ticks (/proc/PID/stat), not the exact start.
  const std::int64_t start_time_unix_ns =
      unix_time_ns(boot_time_unix_seconds_, ticks_to_nanoseconds(nanoseconds_to_ticks(key.start_ns)));
  bool rule_threads = false;
  if (auto name = config_.group_name_of(identity, *username, start_time_unix_ns, &rule_threads)) {
    // Names come from process data, which may hold any bytes; label values must be UTF-8. A
    // subgroup comes from the catalogue: short and valid already.
    std::string label = to_valid_utf8(name->name);
    if (truncate_utf8(label, label_max_length_)) ++labels_truncated_;
    const GroupId group = groups_.group(label, name->subgroup, cgroup_label_of(identity));
    if (rule_threads) groups_.break_down_threads(group);
    return Decision{group};
  }
  if (!config_.children) return Decision{};
  auto parent = parent_of(key, member);
  if (parent == members_.end()) return Decision{};
  return decide_current(parent->first, parent->second, depth + 1);
}

std::string Attribution::cgroup_label_of(const ProcessIdentity& identity) const {
  switch (config_.cgroup_label) {
    case CgroupLabel::unit: return identity.cgroup.unit;
    case CgroupLabel::container: return identity.cgroup.container_id;
    case CgroupLabel::cgroup: return to_valid_utf8(identity.cgroup.path);  // a label value: UTF-8
    case CgroupLabel::none: break;
  }
  return {};
}

Attribution::Members::iterator Attribution::parent_of(const ProcessKey& key, const Member& member) {
  auto parent = members_.end();
  if (member.parent.start_ns != 0) {
    parent = members_.find(member.parent);
  } else if (auto newest = newest_by_pid_.find(member.parent.pid);
             newest != newest_by_pid_.end() && newest->second.start_ns <= key.start_ns) {
    parent = members_.find(newest->second);
  }
  if (parent != members_.end() && &parent->second == &member) return members_.end();
  return parent;
}

std::optional<GroupId> Attribution::group_of(const ProcessKey& key) const {
  auto found = members_.find(key);
  if (found == members_.end() || !found->second.decision) return std::nullopt;
  return found->second.decision->group;
}

bool Attribution::decided(const ProcessKey& key) const {
  auto found = members_.find(key);
  return found == members_.end() || (found->second.decision && found->second.left.empty());
}

std::string Attribution::program_comm(const ProcessKey& key) const {
  auto found = members_.find(key);
  return found == members_.end() ? std::string() : found->second.identity->comm;
}

}  // namespace bpfproc
