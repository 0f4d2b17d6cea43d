#pragma once
// The exec context record (bpf/exec_context.h) taken apart: what /proc would show of a program
// just exec'd (its executable, cwd and cgroups), for a process that may be gone before /proc is
// read.
#include <linux/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bpf/exec_context.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct ExecContext {
  std::uint32_t pid = 0;
  std::uint64_t start_ns = 0;      // with pid, the process
  std::string exe_path;            // as /proc/PID/exe links to it; empty when not sent
  std::string cwd;                 // as /proc/PID/cwd links to it (" (deleted)" too); idem
  std::vector<std::string> cgroups;  // the paths of /proc/PID/cgroup in its order; idem
  bool truncated = false;          // a path did not fit: the kernel side cut it
};

// One record as the ring buffer delivers it: the header and its three parts. An error when the
// sizes in the header do not fit the record.
Result<ExecContext> parse_exec_context(std::string_view record);

}  // namespace bpfproc
