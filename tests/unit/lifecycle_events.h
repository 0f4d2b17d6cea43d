#pragma once
// Synthetic lifecycle events, as the BPF ring buffer delivers them, for the unit tests of what
// consumes them: the process table, its parts, and measure's process tree.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "bpfproc/accounting/process_accounts.h"
#include "bpfproc/kernel/event_sink.h"

namespace bpfproc {

inline fork_event fork_of(ProcessKey child, ProcessKey parent, const char* comm = "") {
  fork_event event{};
  event.kind = EVENT_FORK;
  event.pid = child.pid;
  event.start_ns = child.start_ns;
  event.parent_tgid = parent.pid;
  event.parent_start_ns = parent.start_ns;
  std::strncpy(event.comm, comm, sizeof(event.comm) - 1);
  return event;
}

// `record` as the exec'ing thread's counters at the exec; argv as /proc/PID/cmdline has it.
inline exec_event exec_of(const task_record& record, const char* filename = "", const std::vector<std::string>& argv = {}) {
  exec_event event{};
  event.kind = EVENT_EXEC;
  event.old_tid = record.tid;
  event.task = record;
  std::strncpy(event.filename, filename, sizeof(event.filename) - 1);
  std::size_t used = 0;
  for (const std::string& arg : argv) {
    std::memcpy(event.args + used, arg.c_str(), arg.size() + 1);
    used += arg.size() + 1;
  }
  event.args_size = static_cast<std::uint32_t>(used);
  return event;
}

// A thread's final counters at its last switch; `last_thread` says its process ends with it.
inline exit_event exit_of(const task_record& final_record, bool last_thread, std::uint64_t time_ns = 1'000'000) {
  exit_event event{};
  event.kind = EVENT_EXIT;
  event.time_ns = time_ns;
  event.task = final_record;
  if (last_thread) event.task.flags |= TASK_RECORD_GROUP_DEAD;
  return event;
}

}  // namespace bpfproc
