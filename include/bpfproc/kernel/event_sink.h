#pragma once
// Receives the BPF ring buffer's lifecycle events, in the order the kernel emitted them.
#include <linux/types.h>

#include "bpf/task_record.h"
#include "bpfproc/kernel/exec_context.h"

namespace bpfproc {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_fork(const fork_event& event) = 0;
  virtual void on_exec(const exec_event& event) = 0;
  virtual void on_exit(const exit_event& event) = 0;
  // Follows the exec event of the same process when the programs were asked for it
  // (BpfOptions::exec_context); only grouping uses it.
  virtual void on_exec_context(const ExecContext& /*context*/) {}
  // With BpfOptions::cgroup_moves; only grouping uses it.
  virtual void on_cgroup_move(const cgroup_move_event& /*event*/) {}
};

}  // namespace bpfproc
