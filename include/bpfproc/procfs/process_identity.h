#pragma once
// What grouping rules look at: the identity of one process.
#include <cstdint>
#include <string>
#include <vector>

#include "bpfproc/procfs/cgroup_fields.h"
#include "bpfproc/procfs/procfs.h"
#include "bpfproc/util/path.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct ProcessIdentity {
  int pid = 0;
  std::string comm;
  std::string exe_path;            // full path of the executable ("/usr/bin/sleep"); may be a bare name
  std::vector<std::string> argv;   // empty when unknown
  std::uint32_t uid = 0;           // effective uid, the one process-exporter names
  std::uint64_t start_time_ns = 0; // CLOCK_BOOTTIME nanoseconds at process start
  bool kernel_thread = false;
  // Read only when a rule uses them (IdentityParts); empty otherwise.
  std::string cwd;                   // what /proc/PID/cwd links to
  std::vector<std::string> cgroups;  // the path of each line of /proc/PID/cgroup, in its order
  CgroupFields cgroup;               // its v2 path, unit, container and pod ({{.Cgroup}}, ...)

  std::string exe_base() const;    // basename of exe_path
};

// Inline so that grouping and its tests need no /proc code.
inline std::string ProcessIdentity::exe_base() const { return std::string(base_name(exe_path)); }

// The parts of an identity that cost a read of their own, and that only some rules use.
struct IdentityParts {
  bool cwd = false;
  bool cgroups = false;
  bool cgroup = false;  // CgroupFields: the same file, and the cgroup id of the kernel's events
};

// Reads comm, exe, cmdline and uid of a live process through its /proc directory, and the parts
// asked for. exe (and cwd) are unreadable for some processes of other users without
// CAP_SYS_PTRACE, and exe for kernel threads; then they stay empty and the process is still
// returned. An unreadable cgroup file leaves cgroups empty, as process-exporter does.
Result<ProcessIdentity> read_process_identity(const ProcessDir& dir, IdentityParts parts = {});

}  // namespace bpfproc
