#pragma once
// What grouping rules look at: the identity of one process.
#include <cstdint>
#include <string>
#include <vector>

#include "bpfproc/procfs/procfs.h"
#include "bpfproc/util/path.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct ProcessIdentity {
  int pid = 0;
  std::string comm;
  std::string exe_path;            // full path of the executable ("/usr/bin/sleep"); may be a bare name
  std::vector<std::string> argv;   // empty when unknown
  std::uint32_t uid = 0;           // real uid
  std::uint64_t start_time_ns = 0; // CLOCK_BOOTTIME nanoseconds at process start
  bool kernel_thread = false;

  std::string exe_base() const;    // basename of exe_path
};

// Inline so that grouping and its tests need no /proc code.
inline std::string ProcessIdentity::exe_base() const { return std::string(base_name(exe_path)); }

// Reads comm, exe, cmdline and uid of a live process through its /proc directory.
// exe is unreadable for kernel threads and for some processes of other users without
// CAP_SYS_PTRACE; then exe_path stays empty and the process is still returned.
Result<ProcessIdentity> read_process_identity(const ProcessDir& dir);

}  // namespace bpfproc
