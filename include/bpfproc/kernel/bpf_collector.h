#pragma once
// Loads and attaches bpfproc's BPF programs, and reads what they collect: the per-task counters
// (task iterator, on demand) and the lifecycle events (ring buffer).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <linux/types.h>

#include "bpf/task_record.h"
#include "bpfproc/kernel/event_sink.h"
#include "bpfproc/kernel/program_stats.h"
#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/util/result.h"

struct task_iter_bpf;
struct task_scan_bpf;
struct lifecycle_bpf;
struct runqueue_latency_bpf;
struct ring_buffer;
struct bpf_link;

namespace bpfproc {

// What the exec context record (bpf/exec_context.h) carries; with none, it is not sent. Grouping
// asks for what its rules use, so that a process gone before /proc was read is named alike.
struct ExecContextParts {
  bool exe = false;
  bool cwd = false;
  bool cgroups = false;
  bool any() const { return exe || cwd || cgroups; }
};

struct BpfOptions {
  bool include_kernel_threads = false;
  ExecContextParts exec_context = {};
  // Cgroup v2 moves as events (lifecycle.bpf.c, tp_btf/cgroup_attach_task), for rules that read
  // the cgroup: a moved process's CPU from then on goes to the group of its new cgroup.
  bool cgroup_moves = false;
  // Iterator records say where each sleeping thread waits (bpf/wchan.bpf.h): a stack unwind per
  // record, for process-exporter's threads_wchan.
  bool wchan = false;
  // Run-queue latency histograms: loads and attaches bpf/runqueue_latency.bpf.c, one program on
  // sched_switch. Off (the daemon's default), it is not loaded and nothing runs per switch for it.
  bool runqueue_latency = false;
  // Keeps the kernel's BPF run-time statistics on (BPF_ENABLE_STATS) while the collector lives,
  // for program_stats(). The kernel then times every program run, about 20 ns each.
  bool bpf_stats = false;
  // Exits held at once until their final switch (lifecycle.bpf.c, held_exits); 0 keeps the BPF
  // side's size (HELD_EXITS_SIZE). Tests make it tiny to exercise the exit_fallback path.
  std::uint32_t held_exits_capacity = 0;
  // Size of the lifecycle event ring buffer in bytes (lifecycle.bpf.c, events); 0 keeps the BPF
  // side's 2 MiB. A power of two and a multiple of the page size (valid_ring_buffer_bytes). Tests
  // make it tiny so that an exec storm fills it.
  std::uint32_t events_ring_bytes = 0;
  // The task scan walks at most this many tasks in one run, which cannot be preempted (about
  // 0.24 µs each: 12 ms at 50,000 tasks here, once per collection); on a host with more, changes
  // passes use iter/task, whose passes let other tasks run but cost 1 µs per task
  // (bpf/task_scan.bpf.c has the measurements).
  std::uint32_t task_scan_max_tasks = 100'000;
};

// How often every consumer of the event ring buffer drains it, at the least. The programs wake a
// consumer early only once a quarter of the buffer is filled (lifecycle.bpf.c, submit_flags), so
// that a burst of short-lived processes costs no wakeup per event; below that, this timer bounds
// how long an event waits. 100 ms is short next to any scrape interval and to what `measure`
// reports, costs ten wakeups a second, and leaves the buffer to fill only under a sustained storm
// of execs (a quarter of it holds some 400 exec events, the largest kind).
inline constexpr std::chrono::milliseconds kEventDrainInterval{100};

// Whether `bytes` can size a BPF ring buffer: a power of two and a multiple of the page size.
// The error names the value and the rule.
Status valid_ring_buffer_bytes(std::uint64_t bytes);

class BpfCollector {
 public:
  // Loads and attaches everything. The error is one line naming what is missing.
  static Result<std::unique_ptr<BpfCollector>> open(const BpfOptions& options);
  ~BpfCollector();
  BpfCollector(const BpfCollector&) = delete;
  BpfCollector& operator=(const BpfCollector&) = delete;

  // One record per thread: of every live task (full), or only of those that changed since the
  // iterator last emitted them (bpf/task_iter.bpf.c). The records stay valid until the next call.
  // Changes passes use the task scan (bpf/task_scan.bpf.c) where the kernel has it.
  enum class TaskPass { changes, full };
  Result<std::span<const task_record>> read_tasks(TaskPass pass);
  // Whether changes passes use the task scan rather than iter/task.
  bool scans_changed_tasks() const { return task_scan_ != nullptr; }

  // Hands every pending event to `sink`; returns how many, or an error. Exits held in the kernel
  // whose final switch is done are swept into the buffer first.
  Result<int> drain_events(EventSink& sink);
  // At the end of a measurement or at shutdown: stops holding new exits, and sweeps and drains
  // until every held exit has been sent or `timeout` passed. Returns how many are still held
  // (they are released, unsent, when the collector is destroyed).
  Result<int> settle_exits(EventSink& sink, std::chrono::milliseconds timeout);
  // Waits up to timeout_ms for the kernel to signal events (it does so only when the buffer
  // fills up; callers drain every kEventDrainInterval anyway). Returns early on a signal.
  void wait_for_events(int timeout_ms);

  // Events the kernel could not deliver, by reason (enum lost_reason), summed over CPUs.
  std::uint64_t lost_events(lost_reason reason) const;

  // Every loaded program, with the kernel's statistics (zero unless statistics are on, here
  // or in another process holding BPF_ENABLE_STATS).
  std::vector<ProgramStats> program_stats() const;
  const BpfOptions& options() const { return options_; }

 private:
  explicit BpfCollector(const BpfOptions& options) : options_(options) {}
  static int handle_event(void* context, void* data, std::size_t size);
  static int handle_task_change(void* context, void* data, std::size_t size);
  // Appends the records to task_buffer_ after the first `kept` ones; returns the new count.
  Result<std::size_t> iterate_tasks(std::size_t kept = 0);
  Result<std::size_t> scan_changed_tasks();
  // Runs the kernel's exit sweep once; returns how many exits are still held, or -1.
  int sweep_exits();

  BpfOptions options_;
  FileDescriptor statistics_;  // holds BPF_ENABLE_STATS on while open
  task_iter_bpf* task_iter_ = nullptr;
  task_scan_bpf* task_scan_ = nullptr;  // null where the kernel lacks the open-coded iterator
  ring_buffer* task_changes_ = nullptr;
  std::size_t task_records_ = 0;        // in task_buffer_, while a scan is drained
  bool too_many_to_scan_ = false;       // the last scan stopped at task_scan_max_tasks
  std::size_t last_full_pass_records_ = 0;  // every task, to size the next full pass's buffer
  lifecycle_bpf* lifecycle_ = nullptr;
  runqueue_latency_bpf* runqueue_latency_ = nullptr;  // only with options_.runqueue_latency
  bpf_link* iter_link_ = nullptr;
  ring_buffer* events_ = nullptr;
  EventSink* sink_ = nullptr;  // only during drain_events
  std::vector<task_record> task_buffer_;  // reused: read() fills it as raw bytes
};

// Routes libbpf's own messages to the log at debug level; the last warning is kept so that a
// load failure can be explained in one line.
void route_libbpf_logging();
std::string last_libbpf_warning();

}  // namespace bpfproc
