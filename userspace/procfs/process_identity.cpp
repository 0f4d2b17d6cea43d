#include "bpfproc/procfs/process_identity.h"

#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>

#include "bpf/kernel_flags.h"
#include "bpfproc/util/clock.h"
#include "bpfproc/procfs/proc_cgroup.h"
#include "bpfproc/procfs/proc_cmdline.h"
#include "bpfproc/procfs/proc_stat.h"
#include "bpfproc/procfs/proc_status.h"

namespace bpfproc {

namespace {

// d_path() appends this to the target of /proc/PID/exe once the binary has been unlinked.
constexpr std::string_view kDeletedSuffix = " (deleted)";

// Parsers know only the file name; say which process it was.
Error with_pid(const Error& error, int pid) {
  return Error{error.what, "pid " + std::to_string(pid) + " " + error.object, error.errno_value};
}

// ENOENT: kernel thread or zombie (no mm). EACCES/EPERM: another user's process without
// CAP_SYS_PTRACE. ENAMETOOLONG: a path beyond PATH_MAX. Anything else, such as ESRCH, means the
// process is gone.
bool link_unreadable_but_alive(const Error& error) {
  return error.errno_value == ENOENT || error.errno_value == EACCES || error.errno_value == EPERM ||
         error.errno_value == ENAMETOOLONG;
}

}  // namespace

Result<ProcessIdentity> read_process_identity(const ProcessDir& dir, IdentityParts parts) {
  ProcessIdentity identity;
  identity.pid = dir.pid();

  // Any failure here means the process is gone (ESRCH/ENOENT) or the file is unusable: either way
  // there is no identity to report.
  Result<std::string> stat_text = dir.read("stat");
  if (!stat_text) return stat_text.error();
  Result<ProcStat> stat = parse_proc_stat(*stat_text);
  if (!stat) return with_pid(stat.error(), dir.pid());

  Result<std::string> status_text = dir.read("status");
  if (!status_text) return status_text.error();
  Result<ProcStatus> status = parse_proc_status(*status_text);
  if (!status) return with_pid(status.error(), dir.pid());

  Result<std::string> cmdline_text = dir.read("cmdline");
  if (!cmdline_text) return cmdline_text.error();

  // The comm in stat is the same string as the "comm" file (both proc_task_name() without
  // escaping), so it is taken from there and saves one open/read/close per process.
  identity.comm = std::move(stat->comm);
  identity.kernel_thread = (stat->flags & PF_KTHREAD) != 0;
  identity.start_time_ns = ticks_to_nanoseconds(stat->start_time_ticks);
  identity.uid = status->effective_uid;  // process-exporter's {{.Username}} (status UIDs[1])
  identity.argv = parse_cmdline(*cmdline_text);

  Result<std::string> exe = dir.read_link("exe");
  if (exe) {
    std::string& path = *exe;
    if (path.ends_with(kDeletedSuffix)) path.resize(path.size() - kDeletedSuffix.size());
    identity.exe_path = std::move(path);
  } else if (!link_unreadable_but_alive(exe.error())) {
    return exe.error();
  }

  if (parts.cwd) {
    Result<std::string> cwd = dir.read_link("cwd");
    if (cwd) identity.cwd = std::move(*cwd);
    else if (!link_unreadable_but_alive(cwd.error())) return cwd.error();
  }
  if (parts.cgroups || parts.cgroup) {
    Result<std::string> cgroup_text = dir.read("cgroup");
    if (!cgroup_text && cgroup_text.error().errno_value == ESRCH) return cgroup_text.error();
    if (!cgroup_text) identity.cgroup.unreadable = parts.cgroup;
    if (cgroup_text) {
      Result<std::vector<CgroupLine>> lines = parse_proc_cgroup_lines(*cgroup_text);
      if (lines && parts.cgroup) identity.cgroup = cgroup_fields_of_lines(*lines);
      if (!lines) identity.cgroup.unreadable = parts.cgroup;
      if (lines && parts.cgroups)
        for (CgroupLine& line : *lines) identity.cgroups.push_back(std::move(line.path));
    }
  }
  return identity;
}

}  // namespace bpfproc
