#include "bpfproc/collectors/process_tracker.h"

#include <time.h>

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "bpfproc/grouping/identity_requests.h"
#include "bpfproc/procfs/self_metrics.h"
#include "bpfproc/util/clock.h"

namespace bpfproc {
namespace {

// In ns, saturating: the default retention (forever) does not fit.
std::uint64_t retention_ns(std::chrono::milliseconds retention) {
  if (retention.count() < 0) return 0;
  const auto ms = static_cast<std::uint64_t>(retention.count());
  return ms > UINT64_MAX / 1'000'000 ? UINT64_MAX : ms * 1'000'000;
}

// /proc/stat's btime, from which process-exporter computes {{.StartTime}}; nullopt if unreadable.
std::optional<std::int64_t> boot_time_of(const ProcFs& procfs) {
  auto stat = procfs.read("stat");
  if (!stat) return std::nullopt;
  auto boot_time = parse_boot_time(*stat);
  if (!boot_time) return std::nullopt;
  return static_cast<std::int64_t>(*boot_time);
}

}  // namespace

ProcessTracker::ProcessTracker(TrackerOptions options)
    : options_(std::move(options)),
      procfs_(options_.procfs_root),
      kernel_symbols_(procfs_),
      table_(options_.config,
             {.retention_ns = retention_ns(options_.group_retention),
              .label_max_length = options_.label_max_length,
              .process_top_n = options_.process_top_n,
              .max_tracked_processes = options_.max_tracked_processes},
             boot_time_of(procfs_)) {
  // The kernel sends what the rules read of a new program beyond the exec event, so that one
  // gone before /proc is read gets the name /proc would have given it.
  const IdentityParts parts = options_.config.identity_parts();
  options_.bpf.exec_context = {.exe = options_.config.needs_exe_path(), .cwd = parts.cwd, .cgroups = parts.cgroups};
  options_.bpf.cgroup_moves = parts.cgroup;
  // A miss reads kallsyms under the table's lock: once per new wchan address, a few at start.
  if (options_.bpf.wchan) table_.count_wchans([this](std::uint64_t address) { return kernel_symbols_.name_of(address); });
  // A miss walks the cgroup2 mount under the table's lock: once per new cgroup. Without a
  // cgroup2 mount (a v1-only host) processes seen only by events keep their parent's cgroup.
  if (parts.cgroup) {
    auto mountinfo = procfs_.read("self/mountinfo");
    std::optional<std::string> mount = mountinfo ? find_cgroup2_mount(*mountinfo) : std::nullopt;
    if (mount) {
      cgroup_tree_.emplace(*mount);
      table_.resolve_cgroups([this](std::uint64_t id) { return cgroup_tree_->path_of(id); });
    } else {
      spdlog::warn("cgroup: no cgroup2 mount in {}/self/mountinfo; cgroup fields come from /proc only",
                   options_.procfs_root);
    }
  }
}

Result<std::unique_ptr<ProcessTracker>> ProcessTracker::open(TrackerOptions options) {
  std::unique_ptr<ProcessTracker> tracker(new ProcessTracker(std::move(options)));
  auto bpf = BpfCollector::open(tracker->options_.bpf);
  if (!bpf) return bpf.error();
  tracker->bpf_ = std::move(*bpf);
  std::unique_lock lock(tracker->mutex_);
  tracker->collect_locked(lock);
  return tracker;
}

ProcessTracker::~ProcessTracker() {
  stopping_ = true;
  if (drain_thread_.joinable()) drain_thread_.join();
  // Exits still held in the kernel are sent rather than dropped with the programs; a task in a
  // long exit_mm is not waited for beyond a short while.
  if (bpf_) {
    std::lock_guard lock(mutex_);
    auto settled = bpf_->settle_exits(table_, std::chrono::milliseconds(200));
    if (!settled) spdlog::warn("{}", settled.error().message());
  }
}

void ProcessTracker::start_draining() { drain_thread_ = std::thread([this] { drain_loop(); }); }

void ProcessTracker::drain_loop() {
  while (!stopping_) {
    bpf_->wait_for_events(static_cast<int>(kEventDrainInterval.count()));
    std::lock_guard lock(mutex_);
    auto drained = bpf_->drain_events(table_);
    if (!drained) spdlog::warn("{}", drained.error().message());
  }
}

std::uint64_t ProcessTracker::collect() {
  std::unique_lock lock(mutex_);
  return collect_locked(lock);
}

Status ProcessTracker::check_reconfigure(const Config& config) const {
  const BpfOptions& loaded = options_.bpf;
  const auto restart = [](const std::string& why) {
    return Error{why + " (the BPF programs were loaded without it): restart bpfproc to apply it", ""};
  };
  if (config.kernel_threads && !loaded.include_kernel_threads) return restart("kernel_threads: true needs kernel threads");
  const IdentityParts parts = config.identity_parts();
  if (config.needs_exe_path() && !loaded.exec_context.exe)
    return restart("{{.ExePath}} or exe_path needs the executable at exec");
  if (parts.cwd && !loaded.exec_context.cwd) return restart("{{.Cwd}} needs the working directory at exec");
  if (parts.cgroups && !loaded.exec_context.cgroups) return restart("{{.Cgroups}} needs the cgroups at exec");
  if (parts.cgroup && !loaded.cgroup_moves)
    return restart("{{.Cgroup}}, {{.Unit}}, {{.ContainerID}}, {{.PodUID}} or cgroup: need the cgroup moves");
  return Ok{};
}

void ProcessTracker::reconfigure(Config config) {
  std::lock_guard lock(mutex_);
  pending_config_ = std::move(config);
}

std::uint64_t ProcessTracker::collect_locked(std::unique_lock<std::mutex>& lock) {
  std::uint64_t errors = 0;
  if (pending_config_) {
    table_.reconfigure(*std::exchange(pending_config_, std::nullopt));
    // Changes passes skip sleeping tasks: a full pair shows every thread to the new rules (a
    // thread breakdown they turn on names threads as the passes see them).
    full_passes_due_ = 2;
  }
  // Read the iterator first, then drain events: an exec or exit that happened before the read
  // is then always applied in this same collection.
  const std::uint64_t scan_time_ns = clock_nanoseconds(CLOCK_BOOTTIME);
  const BpfCollector::TaskPass pass = next_task_pass();
  auto tasks = bpf_->read_tasks(pass);
  if (!tasks) {
    ++errors;
    spdlog::warn("tasks: {}", tasks.error().message());
    full_passes_due_ = 2;  // the iterator may have marked tasks as read that we never saw
  }
  auto drained = bpf_->drain_events(table_);
  if (!drained) {
    ++errors;
    spdlog::warn("tasks: {}", drained.error().message());
  }
  if (tasks) {
    table_.begin_scan(scan_time_ns, pass == BpfCollector::TaskPass::full ? ProcessAccounts::Pass::full
                                                                          : ProcessAccounts::Pass::changes);
    for (const task_record& record : *tasks) table_.observe_task(record);
    IdentityRequests requests = table_.end_scan();
    // /proc reads and user name lookups (NSS, maybe LDAP) can be slow: the event drain and the
    // memory refresher must not wait for them, so they happen without the lock. In batches: the
    // first collection asks for every process on the host, and replies waiting to be applied
    // would otherwise hold all their identities at once.
    constexpr std::size_t kIdentityBatch = 256;
    std::size_t next = 0;
    do {
      IdentityRequests batch;
      batch.parts = requests.parts;
      if (next == 0) batch.uids = std::move(requests.uids);
      const std::size_t end = std::min(requests.processes.size(), next + kIdentityBatch);
      batch.processes.assign(requests.processes.begin() + static_cast<std::ptrdiff_t>(next),
                             requests.processes.begin() + static_cast<std::ptrdiff_t>(end));
      next = end;
      IdentityReplies replies;
      if (!batch.empty()) {
        lock.unlock();
        replies = read_identities(procfs_, batch);
        lock.lock();
      }
      table_.apply_identities(std::move(replies));
    } while (next < requests.processes.size());
  }
  return errors;
}

// Full when the table may be missing a change that a changes pass would not show again: at
// start, after events were lost (an exit may be among them), and every kFullTaskPassEvery
// collections.
BpfCollector::TaskPass ProcessTracker::next_task_pass() {
  const std::uint64_t ringbuf_lost = bpf_->lost_events(LOST_RINGBUF_FULL);
  if (ringbuf_lost != ringbuf_lost_seen_) full_passes_due_ = 2;
  ringbuf_lost_seen_ = ringbuf_lost;
  if (++passes_since_full_ >= kFullTaskPassEvery) full_passes_due_ = 2;
  if (full_passes_due_ > 0) {
    --full_passes_due_;
    passes_since_full_ = 0;
    return BpfCollector::TaskPass::full;
  }
  return BpfCollector::TaskPass::changes;
}

std::map<std::string, std::uint64_t> ProcessTracker::events_lost_locked(const std::vector<ProgramStats>& programs) const {
  std::uint64_t recursion_misses = 0;
  for (const ProgramStats& program : programs) recursion_misses += program.recursion_misses;
  return {{"ringbuf_full", bpf_->lost_events(LOST_RINGBUF_FULL)},
          {"task_storage", bpf_->lost_events(LOST_TASK_STORAGE)},
          {"exit_fallback", bpf_->lost_events(LOST_EXIT_FALLBACK)},
          {"exit_inexact", bpf_->lost_events(LOST_EXIT_INEXACT)},
          {"program_recursion", recursion_misses},
          {"exit_unobserved", table_.unobserved_exits()},
          {"exec_context_truncated", table_.exec_contexts_truncated()},
          {"cgroup", table_.cgroups_unresolved()}};
}

std::map<std::string, std::uint64_t> ProcessTracker::events_lost() {
  std::lock_guard lock(mutex_);
  return events_lost_locked(bpf_->program_stats());
}

void ProcessTracker::fill(ExporterSnapshot& snapshot) {
  std::lock_guard lock(mutex_);
  std::vector<ProgramStats> programs = bpf_->program_stats();
  snapshot.groups = table_.collect_groups();
  snapshot.tracked_processes = table_.tracked_processes();
  snapshot.processes_dropped = table_.processes_dropped();
  snapshot.groups_retired = table_.retired_groups();
  snapshot.labels_truncated = table_.labels_truncated();
  snapshot.events_lost = events_lost_locked(programs);
  if (options_.bpf.bpf_stats) snapshot.bpf_programs = std::move(programs);
}

std::vector<GroupTotals> ProcessTracker::collect_groups() {
  std::unique_lock lock(mutex_);
  collect_locked(lock);
  return table_.collect_groups();
}

}  // namespace bpfproc
