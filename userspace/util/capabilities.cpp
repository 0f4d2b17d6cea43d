#include "bpfproc/util/capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>

namespace bpfproc {
namespace {

// linux/capability.h's names, by number, up to CAP_CHECKPOINT_RESTORE (40, the last in 6.x).
constexpr std::array<const char*, 41> kNames = {
    "CAP_CHOWN",           "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",          "CAP_FSETID",
    "CAP_KILL",            "CAP_SETGID",         "CAP_SETUID",          "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",       "CAP_NET_RAW",         "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",       "CAP_SYS_MODULE",     "CAP_SYS_RAWIO",       "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",        "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",           "CAP_LEASE",           "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",        "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",       "CAP_SYSLOG",
    "CAP_WAKE_ALARM",      "CAP_BLOCK_SUSPEND",  "CAP_AUDIT_READ",      "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE"};

std::uint64_t join(std::uint32_t low, std::uint32_t high) { return (std::uint64_t{high} << 32) | low; }

}  // namespace

Result<CapabilitySets> thread_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return Error{"cannot read the capabilities", "capget", errno};
  return CapabilitySets{.effective = join(data[0].effective, data[1].effective),
                        .permitted = join(data[0].permitted, data[1].permitted),
                        .inheritable = join(data[0].inheritable, data[1].inheritable)};
}

Status set_thread_capabilities(const CapabilitySets& sets) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  for (int word = 0; word < 2; ++word) {
    data[word].effective = static_cast<std::uint32_t>(sets.effective >> (32 * word));
    data[word].permitted = static_cast<std::uint32_t>(sets.permitted >> (32 * word));
    data[word].inheritable = static_cast<std::uint32_t>(sets.inheritable >> (32 * word));
  }
  if (syscall(SYS_capset, &header, data) != 0)
    return Error{"cannot set the capabilities to " + capability_names(sets.permitted), "capset", errno};
  return Ok{};
}

std::string capability_names(std::uint64_t mask) {
  std::string names;
  for (int capability = 0; capability < 64; ++capability) {
    if ((mask & capability_bit(capability)) == 0) continue;
    if (!names.empty()) names += ", ";
    names += capability < static_cast<int>(kNames.size()) ? kNames[capability] : "cap_" + std::to_string(capability);
  }
  return names.empty() ? "none" : names;
}

}  // namespace bpfproc
