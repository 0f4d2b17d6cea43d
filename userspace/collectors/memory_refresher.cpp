#include "bpfproc/collectors/memory_refresher.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <spdlog/spdlog.h>

#include "bpfproc/util/clock.h"
#include "bpfproc/procfs/proc_stat.h"

namespace bpfproc {
namespace {

bool process_gone(int errno_value) { return errno_value == ESRCH || errno_value == ENOENT; }

}  // namespace

MemoryReading read_process_memory(const ProcFs& procfs, const ProcessKey& key) {
  auto dir = ProcessDir::open(procfs, static_cast<int>(key.pid));
  if (!dir) return {std::nullopt, !process_gone(dir.error().errno_value)};

  // The directory handle pins the process; its start time says whether it is the one we track.
  auto stat_text = dir->read("stat");
  if (!stat_text) return {std::nullopt, !process_gone(stat_text.error().errno_value)};
  auto stat = parse_proc_stat(*stat_text);
  if (!stat) return {std::nullopt, true};
  if (stat->start_time_ticks != nanoseconds_to_ticks(key.start_ns)) return {std::nullopt, false};

  auto text = dir->read("smaps_rollup");
  if (!text) return {std::nullopt, !process_gone(text.error().errno_value)};
  auto usage = parse_smaps_rollup(*text);
  if (!usage) return {std::nullopt, false};  // empty: the process exited while we read it
  return {*usage, false};
}

MemoryRefresher::MemoryRefresher(ProcFs procfs, ProcessTable& table, std::mutex& table_mutex,
                                 MemoryRefresherOptions options, CollectorStats& stats)
    : procfs_(std::move(procfs)), table_(table), table_mutex_(table_mutex), options_(options), stats_(stats) {}

MemoryRefresher::~MemoryRefresher() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MemoryRefresher::start() { thread_ = std::thread([this] { run(); }); }

void MemoryRefresher::run() {
  std::unique_lock lock(wake_mutex_);
  while (!stopping_) {
    lock.unlock();
    refresh_once();
    lock.lock();
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

void MemoryRefresher::refresh_once() {
  const RunClock clock;
  std::vector<ProcessKey> keys;
  {
    std::lock_guard lock(table_mutex_);
    keys = table_.grouped_live_processes();
  }

  // Outside a live procfs every read would look like a process that is gone: a failure, not an
  // empty success. Each process that could not be read is an error.
  if (!procfs_.shows_reader()) {
    if (!warned_not_live_)
      spdlog::warn("memory: {} does not show this process ({}/self is not a link to it): memory is not read",
                   procfs_.root(), procfs_.root());
    warned_not_live_ = true;
    stats_.record_run(clock, std::max<std::uint64_t>(keys.size(), 1));
    return;
  }

  std::vector<std::pair<ProcessKey, MemoryUsage>> readings;
  readings.reserve(keys.size());
  std::uint64_t errors = 0;
  for (const ProcessKey& key : keys) {
    {
      std::lock_guard lock(wake_mutex_);
      if (stopping_) return;
    }
    MemoryReading reading = read_process_memory(procfs_, key);
    if (reading.usage) readings.emplace_back(key, *reading.usage);
    if (reading.error) ++errors;

    // Stay within the CPU budget: sleep until CPU used / wall elapsed is back under it.
    const double ahead = clock.cpu_seconds() / options_.cpu_budget - clock.wall_seconds();
    if (ahead > 0.01) {  // sleep in steps of at least 10 ms: shorter sleeps cost more than they save
      const timespec pause{static_cast<time_t>(ahead), static_cast<long>((ahead - static_cast<double>(static_cast<time_t>(ahead))) * 1e9)};
      nanosleep(&pause, nullptr);
    }
  }
  {
    std::lock_guard lock(table_mutex_);
    for (const auto& [key, usage] : readings) table_.set_memory(key, usage);
  }
  stats_.record_run(clock, errors);
  spdlog::debug("memory: read {} of {} processes in {:.3f}s, {} errors", readings.size(), keys.size(),
                clock.wall_seconds(), errors);
}

}  // namespace bpfproc
