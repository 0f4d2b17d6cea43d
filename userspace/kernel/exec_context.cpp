#include "bpfproc/kernel/exec_context.h"

#include <cstring>

#include "bpf/task_record.h"

namespace bpfproc {

Result<ExecContext> parse_exec_context(std::string_view record) {
  exec_context_event header;
  if (record.size() < sizeof(header)) return Error{"exec context record shorter than its header", "bpf", 0};
  std::memcpy(&header, record.data(), sizeof(header));  // ring buffer memory is only 8-byte aligned
  std::string_view data = record.substr(sizeof(header));
  const std::uint64_t parts = std::uint64_t{header.exe_size} + header.cwd_size + header.cgroups_size;
  if (header.kind != EVENT_EXEC_CONTEXT || parts > data.size())
    return Error{"exec context record with parts beyond its size", "bpf", 0};

  ExecContext context;
  context.pid = header.pid;
  context.start_ns = header.start_ns;
  context.truncated = (header.flags & EXEC_CONTEXT_TRUNCATED) != 0;
  context.exe_path = data.substr(0, header.exe_size);
  data.remove_prefix(header.exe_size);
  context.cwd = data.substr(0, header.cwd_size);
  // What readlink shows of a removed directory (d_path).
  if ((header.flags & EXEC_CONTEXT_CWD_DELETED) != 0 && !context.cwd.empty()) context.cwd += " (deleted)";
  data.remove_prefix(header.cwd_size);
  std::string_view cgroups = data.substr(0, header.cgroups_size);
  while (!cgroups.empty()) {
    const std::size_t end = cgroups.find('\0');
    context.cgroups.emplace_back(cgroups.substr(0, end));
    if (end == std::string_view::npos) break;  // cut short: the last path has no NUL
    cgroups.remove_prefix(end + 1);
  }
  return context;
}

}  // namespace bpfproc
