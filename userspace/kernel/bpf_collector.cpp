#include "bpfproc/kernel/bpf_collector.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <malloc.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "bpfproc/kernel/event_record.h"
#include "bpfproc/util/whole_file.h"

#include "lifecycle.skel.h"
#include "runqueue_latency.skel.h"
#include "task_iter.skel.h"
#include "task_scan.skel.h"

namespace bpfproc {
namespace {

// Records the task buffer keeps between passes (100 KiB): changes passes rarely need more, and
// the megabytes of a full pass on a crowded host are given back after it.
constexpr std::size_t kTaskBufferFloor = 256;

// The kernel's count of threads (the fourth field of /proc/loadavg, "running/total"), to size a
// first full pass; 0 when unknown.
std::size_t threads_on_host() {
  auto loadavg = read_whole_file("/proc/loadavg");
  if (!loadavg) return 0;
  const std::size_t slash = loadavg->find('/');
  if (slash == std::string::npos) return 0;
  return std::strtoull(loadavg->c_str() + slash + 1, nullptr, 10);
}

// Whether /proc/PID/cgroup has a line for the v2 hierarchy ("0::..."): the kernel lists it once
// cgroup2 has been mounted anywhere, which the daemon's own file shows.
bool cgroup_v2_listed() {
  auto own = read_whole_file("/proc/self/cgroup");
  return !own || own->starts_with("0::") || own->find("\n0::") != std::string::npos;
}

std::mutex libbpf_warning_mutex;
std::string libbpf_warning;

int log_libbpf(enum libbpf_print_level level, const char* format, va_list args) {
  char line[1024];
  vsnprintf(line, sizeof(line), format, args);
  std::string text(line);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (level == LIBBPF_WARN) {
    std::lock_guard lock(libbpf_warning_mutex);
    libbpf_warning = text;
  }
  spdlog::debug("libbpf: {}", text);
  return 0;
}

Error load_error(const char* step, int error_code) {
  const int errno_value = error_code < 0 ? -error_code : error_code;
  std::string what = std::string("cannot ") + step;
  if (errno_value == EPERM || errno_value == EACCES)
    what += " (needs root, or CAP_BPF + CAP_PERFMON + CAP_SYS_PTRACE)";
  const std::string detail = last_libbpf_warning();
  if (!detail.empty() && errno_value != EPERM) what += "; libbpf: " + detail;
  return Error{what, "bpf", errno_value};
}

}  // namespace

Status valid_ring_buffer_bytes(std::uint64_t bytes) {
  const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  // The kernel's own limit for a ring buffer's data area (RINGBUF_MAX_RECORD_SZ is below it).
  constexpr std::uint64_t kMaximum = std::uint64_t{1} << 31;
  if (bytes < page || (bytes & (bytes - 1)) != 0 || bytes > kMaximum)
    return Error{"--bpf.ringbuf-bytes " + std::to_string(bytes) + ": must be a power of two from the page size (" +
                     std::to_string(page) + ") to 2 GiB",
                 ""};
  return Ok{};
}

void route_libbpf_logging() { libbpf_set_print(log_libbpf); }

std::string last_libbpf_warning() {
  std::lock_guard lock(libbpf_warning_mutex);
  return libbpf_warning;
}

Result<std::unique_ptr<BpfCollector>> BpfCollector::open(const BpfOptions& options) {
  std::unique_ptr<BpfCollector> collector(new BpfCollector(options));

  // The lifecycle object first: it owns the run-queue wait storage and the loss counters, which
  // the other objects reuse. It is the one object always loaded, and its exit records read the
  // storage, so the storage lives there rather than in the optional run-queue latency object.
  auto* lifecycle = collector->lifecycle_ = lifecycle_bpf__open();
  if (lifecycle == nullptr) return load_error("open the lifecycle programs", errno);
  lifecycle->rodata->include_kernel_threads = options.include_kernel_threads;
  lifecycle->rodata->runqueue_latency = options.runqueue_latency;
  lifecycle->rodata->exec_context_exe = options.exec_context.exe;
  lifecycle->rodata->exec_context_cwd = options.exec_context.cwd;
  lifecycle->rodata->exec_context_cgroups = options.exec_context.cgroups;
  if (options.exec_context.cgroups) lifecycle->rodata->cgroup_v2_listed = cgroup_v2_listed();
  if (int error = bpf_program__set_autoload(lifecycle->progs.handle_cgroup_move, options.cgroup_moves))
    return load_error("choose the cgroup move program", error);
  if (options.held_exits_capacity != 0)
    for (bpf_map* map : {lifecycle->maps.held_exits, lifecycle->maps.held_keys})
      if (int error = bpf_map__set_max_entries(map, options.held_exits_capacity))
        return load_error("size the held exits table", error);
  if (options.events_ring_bytes != 0) {
    if (auto valid = valid_ring_buffer_bytes(options.events_ring_bytes); !valid) return valid.error();
    if (int error = bpf_map__set_max_entries(lifecycle->maps.events, options.events_ring_bytes))
      return load_error("size the event ring buffer", error);
    lifecycle->rodata->events_wakeup_bytes = options.events_ring_bytes / 4;
  }
  if (int error = lifecycle_bpf__load(lifecycle))
    return load_error("load the lifecycle programs (tp_btf sched_process_fork/exec/exit/free with "
                      "bpf_task_acquire and kptrs, and cgroup_attach_task when rules read the cgroup)",
                      error);
  if (int error = lifecycle_bpf__attach(lifecycle)) return load_error("attach the lifecycle programs", error);

  if (options.runqueue_latency) {
    auto* runqueue_latency = collector->runqueue_latency_ = runqueue_latency_bpf__open();
    if (runqueue_latency == nullptr) return load_error("open the run-queue latency program", errno);
    runqueue_latency->rodata->include_kernel_threads = options.include_kernel_threads;
    if (int error = bpf_map__reuse_fd(runqueue_latency->maps.runqueue_waits,
                                      bpf_map__fd(lifecycle->maps.runqueue_waits)))
      return load_error("share the run-queue wait storage with the run-queue latency program", error);
    if (int error = bpf_map__reuse_fd(runqueue_latency->maps.lost_events, bpf_map__fd(lifecycle->maps.lost_events)))
      return load_error("share the loss counters with the run-queue latency program", error);
    if (int error = runqueue_latency_bpf__load(runqueue_latency))
      return load_error("load the run-queue latency program (tp_btf sched_switch)", error);
    if (int error = runqueue_latency_bpf__attach(runqueue_latency))
      return load_error("attach the run-queue latency program", error);
  }

  auto* task_iter = collector->task_iter_ = task_iter_bpf__open();
  if (task_iter == nullptr) return load_error("open the task iterator", errno);
  task_iter->rodata->include_kernel_threads = options.include_kernel_threads;
  task_iter->rodata->read_wchan = options.wchan;
  if (int error = bpf_map__reuse_fd(task_iter->maps.runqueue_waits, bpf_map__fd(lifecycle->maps.runqueue_waits)))
    return load_error("share the run-queue wait storage with the task iterator", error);
  if (int error = task_iter_bpf__load(task_iter)) return load_error("load the task iterator", error);
  collector->iter_link_ = bpf_program__attach_iter(task_iter->progs.dump_task, nullptr);
  if (collector->iter_link_ == nullptr) return load_error("attach the task iterator (iter/task)", errno);

  // The task scan is optional: without it (kernels before 6.7), changes passes use iter/task.
  if (auto* task_scan = task_scan_bpf__open()) {
    task_scan->rodata->include_kernel_threads = options.include_kernel_threads;
    task_scan->rodata->read_wchan = options.wchan;
    if (bpf_map__reuse_fd(task_scan->maps.last_emitted, bpf_map__fd(task_iter->maps.last_emitted)) == 0 &&
        bpf_map__reuse_fd(task_scan->maps.runqueue_waits, bpf_map__fd(lifecycle->maps.runqueue_waits)) == 0 &&
        task_scan_bpf__load(task_scan) == 0) {
      collector->task_scan_ = task_scan;
      collector->task_changes_ = ring_buffer__new(bpf_map__fd(task_scan->maps.task_changes), handle_task_change,
                                                  collector.get(), nullptr);
      if (collector->task_changes_ == nullptr) return load_error("open the task scan's ring buffer", errno);
    } else {
      spdlog::info("changes passes use iter/task: the task scan did not load ({})", last_libbpf_warning());
      task_scan_bpf__destroy(task_scan);
    }
  }

  collector->events_ = ring_buffer__new(bpf_map__fd(lifecycle->maps.events), handle_event, collector.get(), nullptr);
  if (collector->events_ == nullptr) return load_error("open the event ring buffer", errno);

  if (options.bpf_stats) {
    const int statistics = bpf_enable_stats(BPF_STATS_RUN_TIME);
    if (statistics < 0) return load_error("enable BPF run-time statistics (BPF_ENABLE_STATS)", statistics);
    collector->statistics_.reset(statistics);
  }
  return collector;
}

BpfCollector::~BpfCollector() {
  statistics_.reset();  // statistics off first, as before the programs go
  ring_buffer__free(events_);
  ring_buffer__free(task_changes_);
  task_scan_bpf__destroy(task_scan_);
  bpf_link__destroy(iter_link_);
  runqueue_latency_bpf__destroy(runqueue_latency_);
  lifecycle_bpf__destroy(lifecycle_);
  task_iter_bpf__destroy(task_iter_);
}

std::vector<ProgramStats> BpfCollector::program_stats() const {
  std::vector<ProgramStats> stats = read_program_stats(lifecycle_->obj);
  for (ProgramStats& program : read_program_stats(task_iter_->obj)) stats.push_back(std::move(program));
  if (task_scan_ != nullptr)
    for (ProgramStats& program : read_program_stats(task_scan_->obj)) stats.push_back(std::move(program));
  if (runqueue_latency_ != nullptr)
    for (ProgramStats& program : read_program_stats(runqueue_latency_->obj)) stats.push_back(std::move(program));
  return stats;
}

Result<std::span<const task_record>> BpfCollector::read_tasks(TaskPass pass) {
  // A new pass number makes every task's last emission stale, so every task is emitted.
  if (pass == TaskPass::full) ++task_iter_->bss->full_pass;
  const bool scan = pass == TaskPass::changes && task_scan_ != nullptr && !too_many_to_scan_;
  auto records = scan ? scan_changed_tasks() : iterate_tasks();
  // A full pass counts the tasks: the scan is tried again once the host has few enough.
  if (pass == TaskPass::full && records) {
    too_many_to_scan_ = *records > options_.task_scan_max_tasks;
    last_full_pass_records_ = *records;
  }
  if (!records) return records.error();
  // A full pass on a crowded host needs megabytes that changes passes do not: give them back.
  if (task_buffer_.size() > kTaskBufferFloor && *records < task_buffer_.size() / 4) {
    task_buffer_.resize(std::max(kTaskBufferFloor, *records * 2));
    task_buffer_.shrink_to_fit();
    // Once glibc has freed one large mapping it serves the next from its heap, where freed
    // megabytes stay resident: hand the free pages back (measured: 4 MiB at 50,000 tasks).
    malloc_trim(0);
  }
  return std::span<const task_record>(task_buffer_.data(), *records);
}

Result<std::size_t> BpfCollector::iterate_tasks(std::size_t kept) {
  task_iter_->bss->last_tgid = 0;  // the first record of the walk carries its process's gauges
  const FileDescriptor iterator(bpf_iter_create(bpf_link__fd(iter_link_)));
  if (!iterator) return Error{"cannot start the task iterator", "bpf", errno};

  // read() returns whole seq_file pages, so a record may straddle two reads: the bytes go
  // straight into one contiguous buffer of records, sized from the last full pass so that it
  // rarely grows (a doubling holds old and new at once: 38 MiB at 50,000 tasks), and given back
  // by read_tasks afterwards.
  const std::size_t known = last_full_pass_records_ != 0 ? last_full_pass_records_ : threads_on_host();
  const std::size_t expected = std::max({kTaskBufferFloor, known + known / 8, kept * 2});
  if (task_buffer_.size() < expected) task_buffer_.resize(expected);
  std::size_t used = kept * sizeof(task_record);
  for (;;) {
    const std::size_t capacity = task_buffer_.size() * sizeof(task_record);
    if (capacity - used < 16 * 1024) {  // room for at least one more seq_file chunk
      task_buffer_.resize(task_buffer_.size() * 2);
      continue;
    }
    char* bytes = reinterpret_cast<char*>(task_buffer_.data());
    const ssize_t count = read(iterator.get(), bytes + used, capacity - used);
    if (count == 0) break;
    if (count < 0) {
      if (errno == EINTR) continue;
      return Error{"cannot read the task iterator", "bpf", errno};
    }
    used += static_cast<std::size_t>(count);
  }
  return used / sizeof(task_record);
}

// Runs the scan until it has sent every changed task (in rounds, when its buffer fills).
Result<std::size_t> BpfCollector::scan_changed_tasks() {
  // A round sends what the 256 KiB buffer holds (~470 records), so 100,000 changed tasks take
  // about 155 rounds; this bound only guards against a scan that never finishes.
  constexpr int kMaxRounds = 1000;
  task_records_ = 0;
  task_scan_args args{task_iter_->bss->full_pass, options_.task_scan_max_tasks};
  for (int round = 0; round < kMaxRounds; ++round) {
    LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &args, .ctx_size_in = sizeof(args));
    if (bpf_prog_test_run_opts(bpf_program__fd(task_scan_->progs.scan_changed_tasks), &run) != 0)
      return Error{"cannot run the task scan", "bpf", errno};
    if (ring_buffer__consume(task_changes_) < 0) return Error{"cannot read the task scan's records", "bpf", errno};
    if (run.retval == TASK_SCAN_DONE) return task_records_;
    if (run.retval == TASK_SCAN_TOO_MANY) {
      // The records sent so far are kept; iter/task sends the rest (the same fingerprints), and
      // changes passes use it until a full pass finds few enough tasks.
      too_many_to_scan_ = true;
      return iterate_tasks(task_records_);
    }
  }
  return Error{"the task scan did not finish in " + std::to_string(kMaxRounds) + " rounds", "bpf", EAGAIN};
}

int BpfCollector::handle_task_change(void* context, void* data, std::size_t size) {
  auto* self = static_cast<BpfCollector*>(context);
  if (size < sizeof(task_record)) return 0;
  if (self->task_records_ >= self->task_buffer_.size())
    self->task_buffer_.resize(std::max(kTaskBufferFloor, self->task_buffer_.size() * 2));
  // A copy: ring buffer memory is only 8-byte aligned and is released after this callback.
  std::memcpy(&self->task_buffer_[self->task_records_++], data, sizeof(task_record));
  return 0;
}

int BpfCollector::handle_event(void* context, void* data, std::size_t size) {
  auto* self = static_cast<BpfCollector*>(context);
  if (self->sink_ == nullptr) return 0;
  // A malformed or unknown record is skipped: the rest of the buffer is still good.
  (void)deliver_event_record(std::string_view(static_cast<const char*>(data), size), *self->sink_);
  return 0;
}

int BpfCollector::sweep_exits() {
  // Sends the exit records of tasks whose final switch is done (lifecycle.bpf.c, sweep_exits).
  LIBBPF_OPTS(bpf_test_run_opts, run);
  if (bpf_prog_test_run_opts(bpf_program__fd(lifecycle_->progs.sweep_exits), &run) != 0) return -1;
  return static_cast<int>(run.retval);
}

Result<int> BpfCollector::drain_events(EventSink& sink) {
  // A sweep first, so that every exit finished by now is in this drain: the kernel sweeps only
  // when other tasks exit or are freed, so on a quiet host this is what delivers the last ones.
  sweep_exits();
  sink_ = &sink;
  const int count = ring_buffer__consume(events_);
  sink_ = nullptr;
  if (count < 0) return Error{"cannot read the event ring buffer", "bpf", -count};
  return count;
}

Result<int> BpfCollector::settle_exits(EventSink& sink, std::chrono::milliseconds timeout) {
  // New exits are not held any more, so the table only empties. A task still pending is on its
  // way to its final switch (exit_mm of a large process can take a second).
  bpf_link__destroy(lifecycle_->links.handle_exit);
  lifecycle_->links.handle_exit = nullptr;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int pending;
  while ((pending = sweep_exits()) > 0 && std::chrono::steady_clock::now() < deadline) {
    auto drained = drain_events(sink);
    if (!drained) return drained.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto drained = drain_events(sink);
  if (!drained) return drained.error();
  return pending;
}

void BpfCollector::wait_for_events(int timeout_ms) {
  // Only waits: events stay in the buffer for drain_events. The ring buffer reports readable
  // while it holds data, so this returns at once if anything arrived since the last drain.
  epoll_event ready{};
  epoll_wait(ring_buffer__epoll_fd(events_), &ready, 1, timeout_ms);
}

std::uint64_t BpfCollector::lost_events(lost_reason reason) const {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return 0;
  std::vector<std::uint64_t> per_cpu(static_cast<std::size_t>(cpus));
  std::uint32_t key = reason;
  if (bpf_map_lookup_elem(bpf_map__fd(lifecycle_->maps.lost_events), &key, per_cpu.data()) != 0) return 0;
  std::uint64_t total = 0;
  for (std::uint64_t count : per_cpu) total += count;
  return total;
}

}  // namespace bpfproc
