#pragma once
// Receives the BPF ring buffer's lifecycle events, in the order the kernel emitted them.
#include <linux/types.h>

#include "bpf/task_record.h"

namespace bpfproc {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_fork(const fork_event& event) = 0;
  virtual void on_exec(const exec_event& event) = 0;
  virtual void on_exit(const exit_event& event) = 0;
};

}  // namespace bpfproc
