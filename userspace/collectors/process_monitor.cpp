#include "bpfproc/collectors/process_monitor.h"

#include <bpf/libbpf.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "bpfproc/grouping/identity_requests.h"
#include "bpfproc/util/clock.h"
#include "bpfproc/procfs/self_metrics.h"
#include "bpfproc/util/version.h"

namespace bpfproc {
namespace {

// Events are drained at least this often, so the ring buffer (4 MiB) only fills under a
// sustained storm of tens of thousands of execs per second.
constexpr int kDrainIntervalMs = 100;

}  // namespace

BuildInfo current_build_info() {
  utsname host{};
  uname(&host);
  return BuildInfo{kVersion, kRevision, libbpf_version_string(), host.release};
}

ProcessMonitor::ProcessMonitor(MonitorOptions options)
    : options_(std::move(options)),
      procfs_(options_.procfs_root),
      table_(options_.config),
      build_(current_build_info()),
      boot_time_unix_seconds_(boot_time_unix_seconds()) {}

Result<std::unique_ptr<ProcessMonitor>> ProcessMonitor::open(MonitorOptions options) {
  BpfOptions bpf_options{options.config.kernel_threads, options.runqueue_latency, options.bpf_stats};
  std::unique_ptr<ProcessMonitor> monitor(new ProcessMonitor(std::move(options)));
  auto bpf = BpfCollector::open(bpf_options);
  if (!bpf) return bpf.error();
  monitor->bpf_ = std::move(*bpf);
  if (monitor->options_.memory_enabled)
    monitor->memory_ = std::make_unique<MemoryRefresher>(monitor->procfs_, monitor->table_, monitor->mutex_,
                                                         monitor->options_.memory);
  // The first collection builds the table, so that later fork events find their parents.
  std::unique_lock lock(monitor->mutex_);
  monitor->collect_locked(lock);
  return monitor;
}

ProcessMonitor::~ProcessMonitor() {
  stopping_ = true;
  if (drain_thread_.joinable()) drain_thread_.join();
  memory_.reset();  // joins its thread before the table goes away
}

void ProcessMonitor::start_background() {
  drain_thread_ = std::thread([this] { drain_loop(); });
  if (memory_) memory_->start();
}

void ProcessMonitor::refresh_memory_now() {
  if (memory_) memory_->refresh_once();
}

void ProcessMonitor::drain_loop() {
  while (!stopping_) {
    bpf_->wait_for_events(kDrainIntervalMs);
    std::lock_guard lock(mutex_);
    auto drained = bpf_->drain_events(table_);
    if (!drained) spdlog::warn("{}", drained.error().message());
  }
}

void ProcessMonitor::collect_locked(std::unique_lock<std::mutex>& lock) {
  const double started = clock_seconds(CLOCK_MONOTONIC);
  const double cpu_started = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
  std::uint64_t errors = 0;

  // Read the iterator first, then drain events: an exec or exit that happened before the read
  // is then always applied in this same collection.
  const std::uint64_t scan_time_ns = clock_nanoseconds(CLOCK_BOOTTIME);
  auto tasks = bpf_->read_tasks();
  if (!tasks) {
    ++errors;
    spdlog::warn("tasks: {}", tasks.error().message());
  }
  auto drained = bpf_->drain_events(table_);
  if (!drained) {
    ++errors;
    spdlog::warn("tasks: {}", drained.error().message());
  }
  if (tasks) {
    table_.begin_scan(scan_time_ns);
    for (const task_record& record : *tasks) table_.observe_task(record);
    const IdentityRequests requests = table_.end_scan();
    IdentityReplies replies;
    if (!requests.empty()) {
      // /proc reads and user name lookups (NSS, maybe LDAP) can be slow: the event drain, the
      // memory refresher and scrapes must not wait for them.
      lock.unlock();
      replies = read_identities(procfs_, requests);
      lock.lock();
    }
    table_.apply_identities(replies);
  }
  task_stats_.record_run(clock_seconds(CLOCK_MONOTONIC) - started, clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu_started,
                         errors, clock_seconds(CLOCK_REALTIME));
}

std::map<std::string, std::uint64_t> ProcessMonitor::events_lost(const std::vector<ProgramStats>& programs) const {
  std::uint64_t recursion_misses = 0;
  for (const ProgramStats& program : programs) recursion_misses += program.recursion_misses;
  return {{"ringbuf_full", bpf_->lost_events(LOST_RINGBUF_FULL)},
          {"task_storage", bpf_->lost_events(LOST_TASK_STORAGE)},
          {"program_recursion", recursion_misses},
          {"exit_unobserved", table_.unobserved_exits()}};
}

std::shared_ptr<ExporterSnapshot> ProcessMonitor::collect() {
  auto snapshot = std::make_shared<ExporterSnapshot>();
  {
    std::unique_lock lock(mutex_);
    collect_locked(lock);
    snapshot->groups = table_.collect_groups();
    snapshot->tracked_processes = table_.tracked_processes();
    std::vector<ProgramStats> programs = bpf_->program_stats();
    snapshot->events_lost = events_lost(programs);
    if (options_.bpf_stats) snapshot->bpf_programs = std::move(programs);
  }
  snapshot->memory_enabled = options_.memory_enabled;
  snapshot->runqueue_latency_enabled = options_.runqueue_latency;
  snapshot->boot_time_unix_seconds = boot_time_unix_seconds_;
  auto self = read_self_metrics(procfs_);
  if (self) snapshot->self = *self;
  else spdlog::warn("self metrics: {}", self.error().message());
  snapshot->build = build_;
  snapshot->collectors.push_back(task_stats_.status());
  if (memory_) snapshot->collectors.push_back(memory_->stats().status());
  snapshot->cpu_cores = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
  return snapshot;
}

std::vector<GroupTotals> ProcessMonitor::collect_groups() {
  std::unique_lock lock(mutex_);
  collect_locked(lock);
  return table_.collect_groups();
}

}  // namespace bpfproc
