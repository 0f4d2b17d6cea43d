#include "bpfproc/collectors/memory_refresher.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <spdlog/spdlog.h>

#include "bpfproc/procfs/proc_stat.h"
#include "bpfproc/util/clock.h"

namespace bpfproc {
namespace {

bool process_gone(int errno_value) { return errno_value == ESRCH || errno_value == ENOENT; }

double thread_cpu_seconds() { return clock_seconds(CLOCK_THREAD_CPUTIME_ID); }

// How often the candidates are listed again: a new process waits up to this for its first read,
// and a listing walks every grouped process under the table's lock.
constexpr std::chrono::seconds kListingPeriod{5};
// Waits are cut to this, so that a time_point::max() never reaches the condition variable.
constexpr std::chrono::minutes kLongestWait{1};

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

// One pool thread: what of its CPU the budget has been charged with, and its current burst of
// reads (from waking up with work to going idle), which is one run in the collector's stats.
struct MemoryRefresher::Worker {
  double charged_cpu_seconds = thread_cpu_seconds();
  std::optional<RunClock> burst;
  std::uint64_t burst_errors = 0;
};

MemoryRefresher::MemoryRefresher(ProcFs procfs, ProcessTable& table, std::mutex& table_mutex,
                                 MemoryRefresherOptions options, CollectorStats& stats)
    : procfs_(std::move(procfs)),
      table_(table),
      table_mutex_(table_mutex),
      options_(options),
      stats_(stats),
      schedule_(options.schedule),
      budget_(options.cpu_budget, kBudgetWindow) {
  // Every reason from the start: a counter that appears only when it first moves hides rate().
  counts_.skipped = {{"budget", 0}, {"gone", 0}, {"min_rss", 0}};
}

MemoryRefresher::~MemoryRefresher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void MemoryRefresher::start() {
  for (unsigned index = 0; index < std::max(options_.threads, 1u); ++index) {
    threads_.emplace_back([this] { run(); });
    // Named, so that its CPU can be read apart from the rest of the daemon (/proc/PID/task/TID).
    pthread_setname_np(threads_.back().native_handle(), "bpfproc-memory");
  }
}

std::uint64_t MemoryRefresher::list_candidates(std::unique_lock<std::mutex>& lock, bool force) {
  if (listing_ || (!force && Clock::now() < next_listing_)) return 0;
  listing_ = true;
  lock.unlock();
  std::vector<MemoryCandidate> candidates;
  {
    std::lock_guard table_lock(table_mutex_);
    candidates = table_.memory_candidates();
  }
  const bool live = procfs_.shows_reader();
  lock.lock();
  listing_ = false;
  next_listing_ = Clock::now() + std::min<Clock::duration>(kListingPeriod, options_.schedule.interval);
  if (live) {
    schedule_.update(candidates, Clock::now());
    return 0;
  }
  // Outside a live procfs every read would look like a process that is gone: a failure, not an
  // empty success. Each process that could not be read is an error.
  if (!warned_not_live_)
    spdlog::warn("memory: {} does not show this process ({}/self is not a link to it): memory is not read",
                 procfs_.root(), procfs_.root());
  warned_not_live_ = true;
  schedule_.update({}, Clock::now());
  return std::max<std::uint64_t>(candidates.size(), 1);
}

void MemoryRefresher::charge_thread_cpu(Worker& worker, Clock::time_point now) {
  const double cpu = thread_cpu_seconds();
  budget_.charge(now, cpu - worker.charged_cpu_seconds);
  worker.charged_cpu_seconds = cpu;
}

bool MemoryRefresher::read_one(std::unique_lock<std::mutex>& lock, const MemorySchedule::Due& due) {
  if (due.action == MemorySchedule::Take::too_small) {
    ++counts_.skipped["min_rss"];
    schedule_.finish(due.key, Clock::now(), 0, false);
    return false;
  }
  lock.unlock();
  const double cpu_before = thread_cpu_seconds();
  const MemoryReading reading = read_process_memory(procfs_, due.key);
  const double cost = thread_cpu_seconds() - cpu_before;
  if (reading.usage) {
    std::lock_guard table_lock(table_mutex_);
    table_.set_memory(due.key, *reading.usage);
  }
  lock.lock();
  ++counts_.reads;
  counts_.read_cpu_seconds += cost;
  if (!reading.usage && !reading.error) ++counts_.skipped["gone"];
  schedule_.finish(due.key, Clock::now(), cost, reading.usage.has_value());
  if (cost > MemorySchedule::kCheapReadSeconds)
    spdlog::debug("memory: pid {} read in {:.3f} ms of CPU, next in {:.1f} s", due.key.pid, cost * 1e3,
                  std::chrono::duration<double>(schedule_.period(cost)).count());
  return reading.error;
}

void MemoryRefresher::run() {
  Worker worker;
  const auto end_burst = [&] {
    if (worker.burst) stats_.record_run(*worker.burst, worker.burst_errors);
    worker.burst.reset();
  };
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (const std::uint64_t errors = list_candidates(lock, false); errors > 0) stats_.record_run(RunClock(), errors);
    const Clock::time_point now = Clock::now();
    charge_thread_cpu(worker, now);
    const Clock::time_point budget_at = budget_.available_at(now);
    const bool over_budget = budget_at > now;
    const auto due = schedule_.take_due(now, over_budget);
    if (!due) {
      end_burst();
      Clock::time_point until = std::min({schedule_.next_due(), next_listing_, now + kLongestWait});
      if (over_budget && schedule_.any_due(now)) {
        ++counts_.skipped["budget"];
        until = std::min(budget_at, next_listing_);
      }
      wake_.wait_until(lock, until, [this] { return stopping_; });
      continue;
    }
    if (!worker.burst) {
      worker.burst.emplace();
      worker.burst_errors = 0;
    }
    if (read_one(lock, *due)) ++worker.burst_errors;
  }
  end_burst();
}

void MemoryRefresher::refresh_once() {
  const RunClock clock;
  std::unique_lock lock(mutex_);
  if (const std::uint64_t errors = list_candidates(lock, true); errors > 0) {
    stats_.record_run(clock, errors);
    return;
  }
  std::uint64_t errors = 0;
  for (const ProcessKey& key : schedule_.readable()) {
    if (stopping_) return;
    if (schedule_.claim(key) && read_one(lock, {key, MemorySchedule::Take::read})) ++errors;
  }
  stats_.record_run(clock, errors);
  spdlog::debug("memory: read {} processes in {:.3f}s, {} errors", schedule_.size(), clock.wall_seconds(), errors);
}

MemoryRefresherStatus MemoryRefresher::status() {
  std::lock_guard lock(mutex_);
  MemoryRefresherStatus status = counts_;
  const MemorySchedule::Ages ages = schedule_.ages(Clock::now());
  status.age_max_seconds = ages.max_seconds;
  status.age_median_seconds = ages.median_seconds;
  return status;
}

}  // namespace bpfproc
