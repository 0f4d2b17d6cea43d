#include "bpfproc/bpf_collector.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <mutex>

#include <spdlog/spdlog.h>

#include "lifecycle.skel.h"
#include "task_iter.skel.h"

namespace bpfproc {
namespace {

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

void route_libbpf_logging() { libbpf_set_print(log_libbpf); }

std::string last_libbpf_warning() {
  std::lock_guard lock(libbpf_warning_mutex);
  return libbpf_warning;
}

Result<std::unique_ptr<BpfCollector>> BpfCollector::open(const BpfOptions& options) {
  std::unique_ptr<BpfCollector> collector(new BpfCollector());

  collector->task_iter_ = task_iter_bpf__open();
  if (collector->task_iter_ == nullptr) return load_error("open the task iterator", errno);
  collector->task_iter_->rodata->include_kernel_threads = options.include_kernel_threads;
  if (int error = task_iter_bpf__load(collector->task_iter_)) return load_error("load the task iterator", error);
  collector->iter_link_ = bpf_program__attach_iter(collector->task_iter_->progs.dump_task, nullptr);
  if (collector->iter_link_ == nullptr) return load_error("attach the task iterator (iter/task)", errno);

  collector->lifecycle_ = lifecycle_bpf__open();
  if (collector->lifecycle_ == nullptr) return load_error("open the lifecycle programs", errno);
  collector->lifecycle_->rodata->include_kernel_threads = options.include_kernel_threads;
  if (int error = lifecycle_bpf__load(collector->lifecycle_))
    return load_error("load the lifecycle programs (tp_btf sched_process_fork/exec, sched_switch)", error);
  if (int error = lifecycle_bpf__attach(collector->lifecycle_))
    return load_error("attach the lifecycle programs", error);

  collector->events_ = ring_buffer__new(bpf_map__fd(collector->lifecycle_->maps.events), handle_event,
                                        collector.get(), nullptr);
  if (collector->events_ == nullptr) return load_error("open the event ring buffer", errno);
  return collector;
}

BpfCollector::~BpfCollector() {
  ring_buffer__free(events_);
  bpf_link__destroy(iter_link_);
  lifecycle_bpf__destroy(lifecycle_);
  task_iter_bpf__destroy(task_iter_);
}

Result<std::span<const task_record>> BpfCollector::read_tasks() {
  const int iter_fd = bpf_iter_create(bpf_link__fd(iter_link_));
  if (iter_fd < 0) return Error{"cannot start the task iterator", "bpf", errno};

  // read() returns whole seq_file pages, so a record may straddle two reads: the bytes go
  // straight into one contiguous buffer of records, grown (and kept) as the host needs.
  if (task_buffer_.empty()) task_buffer_.resize(4096);
  std::size_t used = 0;
  for (;;) {
    const std::size_t capacity = task_buffer_.size() * sizeof(task_record);
    if (capacity - used < 16 * 1024) {  // room for at least one more seq_file chunk
      task_buffer_.resize(task_buffer_.size() * 2);
      continue;
    }
    char* bytes = reinterpret_cast<char*>(task_buffer_.data());
    const ssize_t count = read(iter_fd, bytes + used, capacity - used);
    if (count == 0) break;
    if (count < 0) {
      if (errno == EINTR) continue;
      const int saved_errno = errno;
      close(iter_fd);
      return Error{"cannot read the task iterator", "bpf", saved_errno};
    }
    used += static_cast<std::size_t>(count);
  }
  close(iter_fd);
  return std::span<const task_record>(task_buffer_.data(), used / sizeof(task_record));
}

int BpfCollector::handle_event(void* context, void* data, std::size_t size) {
  auto* self = static_cast<BpfCollector*>(context);
  if (size < sizeof(std::uint32_t) || self->sink_ == nullptr) return 0;
  std::uint32_t kind;
  std::memcpy(&kind, data, sizeof(kind));
  // Copies: ring buffer memory is only 8-byte aligned and is released after this callback.
  switch (kind) {
    case EVENT_FORK:
      if (size >= sizeof(fork_event)) {
        fork_event event;
        std::memcpy(&event, data, sizeof(event));
        self->sink_->on_fork(event);
      }
      break;
    case EVENT_EXEC:
      if (size >= sizeof(exec_event)) {
        static thread_local exec_event event;  // 1 KiB: kept off the stack of the poll loop
        std::memcpy(&event, data, sizeof(event));
        self->sink_->on_exec(event);
      }
      break;
    case EVENT_EXIT:
      if (size >= sizeof(exit_event)) {
        exit_event event;
        std::memcpy(&event, data, sizeof(event));
        self->sink_->on_exit(event);
      }
      break;
    default:
      break;
  }
  return 0;
}

Result<int> BpfCollector::drain_events(EventSink& sink) {
  sink_ = &sink;
  const int count = ring_buffer__consume(events_);
  sink_ = nullptr;
  if (count < 0) return Error{"cannot read the event ring buffer", "bpf", -count};
  return count;
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
