#pragma once
// Least privilege for the daemon: once its BPF programs are loaded and attached, it keeps only
// the capabilities that what still runs needs, and with --run-as it becomes that user.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct RunAsUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;  // the user's primary group
  bool in_passwd = false;  // whose supplementary groups initgroups() can find
};

// --run-as USER: a user name, or a numeric uid (whose group is the same number when passwd does
// not know it). Resolved at start, before anything is loaded, so that a typo is bad input.
[[nodiscard]] Result<RunAsUser> resolve_run_as(const std::string& user);

struct PrivilegeNeeds {
  bool bpf_after_load = false;    // kernel/check.h: bpf_needs_capability_after_load()
  bool low_port = false;          // a listen address below 1024, bound after the drop
  bool kernel_symbols = false;    // wchan names (--compat.process-exporter): /proc/kallsyms shows
                                  // addresses to CAP_SYSLOG only, and it is read as addresses come
  bool switch_users = false;      // command sources with run_as: their child calls setgroups,
                                  // setgid and setuid (CAP_SETGID, CAP_SETUID) before the exec
};

// The capabilities kept: CAP_SYS_PTRACE (smaps_rollup, io and fd of other users' processes:
// ptrace read access) and CAP_DAC_READ_SEARCH (their /proc/PID/fd directories, and config, web
// config and certificate files at reload whoever owns them), plus what `needs` asks for.
std::uint64_t kept_capabilities(const PrivilegeNeeds& needs);

// Drops every other capability from every set (effective, permitted, inheritable, ambient, and
// the bounding set when CAP_SETPCAP allows), switches to `user` if given, and sets
// no_new_privs. Capabilities are per thread: call it before any thread starts. Returns the
// effective set now in force; an error leaves the daemon unable to go on (exit 1).
[[nodiscard]] Result<std::uint64_t> drop_privileges(const std::optional<RunAsUser>& user, std::uint64_t keep);

}  // namespace bpfproc
