#include "bpfproc/app/privileges.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <charconv>
#include <vector>

#include "bpfproc/util/capabilities.h"

namespace bpfproc {

Result<RunAsUser> resolve_run_as(const std::string& user) {
  if (user.empty()) return Error{"empty user name", "--run-as"};
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  int error = getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
  uid_t number = 0;
  const auto [end, parse_error] = std::from_chars(user.data(), user.data() + user.size(), number);
  const bool numeric = parse_error == std::errc{} && end == user.data() + user.size();
  if (found == nullptr && numeric) error = getpwuid_r(number, &entry, buffer.data(), buffer.size(), &found);
  if (found != nullptr) return RunAsUser{entry.pw_name, entry.pw_uid, entry.pw_gid, true};
  if (error != 0) return Error{"cannot look the user up", "--run-as " + user, error};
  if (!numeric) return Error{"no such user", "--run-as " + user};
  return RunAsUser{user, number, static_cast<gid_t>(number), false};
}

std::uint64_t kept_capabilities(const PrivilegeNeeds& needs) {
  std::uint64_t keep = capability_bit(CAP_SYS_PTRACE) | capability_bit(CAP_DAC_READ_SEARCH);
  if (needs.bpf_after_load) keep |= capability_bit(CAP_BPF);
  if (needs.low_port) keep |= capability_bit(CAP_NET_BIND_SERVICE);
  if (needs.kernel_symbols) keep |= capability_bit(CAP_SYSLOG);
  if (needs.switch_users) keep |= capability_bit(CAP_SETUID) | capability_bit(CAP_SETGID);
  return keep;
}

Result<std::uint64_t> drop_privileges(const std::optional<RunAsUser>& user, std::uint64_t keep) {
  auto sets = thread_capabilities();
  if (!sets) return sets.error();
  keep &= sets->permitted;  // what it never had, it cannot keep
  // The bounding set first: changing it needs CAP_SETPCAP, which goes below. Without it (a
  // service manager started us with a bounding set of its own), the bounding set stays as given.
  if ((sets->effective & capability_bit(CAP_SETPCAP)) != 0) {
    for (int capability = 0; capability <= CAP_LAST_CAP; ++capability)
      if ((keep & capability_bit(capability)) == 0 && prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 &&
          errno != EINVAL)
        return Error{"cannot drop " + capability_names(capability_bit(capability)) + " from the bounding set",
                     "prctl", errno};
  }
  if (user) {
    // Keep the permitted set across the change of uid, which would otherwise clear it.
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return Error{"cannot keep capabilities", "--run-as " + user->name, errno};
    const int groups = user->in_passwd ? initgroups(user->name.c_str(), user->gid) : setgroups(1, &user->gid);
    if (groups != 0) return Error{"cannot set the supplementary groups", "--run-as " + user->name, errno};
    if (setgid(user->gid) != 0) return Error{"cannot set the group id", "--run-as " + user->name, errno};
    if (setuid(user->uid) != 0) return Error{"cannot set the user id", "--run-as " + user->name, errno};
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return Error{"cannot clear keepcaps", "--run-as " + user->name, errno};
  }
  if (auto set = set_thread_capabilities({.effective = keep, .permitted = keep, .inheritable = 0}); !set)
    return set.error();
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return Error{"cannot clear the ambient capabilities", "prctl", errno};
  // Nothing the daemon might exec can gain privileges back.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Error{"cannot set no_new_privs", "prctl", errno};
  auto now = thread_capabilities();
  if (!now) return now.error();
  if (now->permitted != keep)
    return Error{"capabilities not dropped: still " + capability_names(now->permitted), "capset"};
  return now->effective;
}

}  // namespace bpfproc
