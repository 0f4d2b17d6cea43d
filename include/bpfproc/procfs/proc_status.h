#pragma once
// Parser for /proc/PID/status (proc(5)); only the fields bpfproc uses.
#include <cstdint>
#include <string>
#include <string_view>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct ProcStatus {
  std::string name;              // "Name:" (comm; escaped by the kernel as in the file)
  std::uint32_t real_uid = 0;    // first field of "Uid:"
  std::uint32_t effective_uid = 0;
  std::uint64_t threads = 0;
  std::uint64_t vm_rss_bytes = 0;   // 0 for kernel threads, which have no VmRSS line
  std::uint64_t vm_size_bytes = 0;
};

// Errors when "Uid:" or "Threads:" is missing, or when a line bpfproc uses is malformed.
Result<ProcStatus> parse_proc_status(std::string_view text);

}  // namespace bpfproc
