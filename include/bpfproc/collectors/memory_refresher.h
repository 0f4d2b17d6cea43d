#pragma once
// Reads /proc/PID/smaps_rollup (PSS, USS, swap) of the grouped live processes in the background,
// so a scrape never waits for memory; RSS comes fresh at every collection from the mm counters
// the task iterator reads. A read makes the kernel walk every mapping of the target while holding
// its mmap lock, which stalls the target: ~14 µs for a small process, far more for a large one.
// So the refresher
// - runs on a small pool of threads (--memory.threads) that never read one process twice at once;
// - reads each process on the schedule its last read's CPU cost allows (memory_schedule.h): a
//   costly process is read less often, but at least every --memory.max-age;
// - keeps within a CPU budget (--memory.budget cores, over a minute, cpu_budget.h), charged with
//   every CPU second of its threads (CLOCK_THREAD_CPUTIME_ID), bookkeeping included. Only a read
//   that max-age forces passes it;
// - skips processes below --memory.min-rss of resident memory.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bpfproc/collectors/collector_stats.h"
#include "bpfproc/collectors/cpu_budget.h"
#include "bpfproc/collectors/memory_schedule.h"
#include "bpfproc/grouping/process_table.h"
#include "bpfproc/procfs/procfs.h"
#include "bpfproc/procfs/smaps_rollup.h"
#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

struct MemoryRefresherOptions {
  MemoryScheduleOptions schedule;
  double cpu_budget = 0.01;  // --memory.budget: cores, averaged over kBudgetWindow
  unsigned threads = 1;      // --memory.threads
};

// Reads one process's memory; nullopt (and no error) when the process is gone or its pid now
// belongs to another process.
struct MemoryReading {
  std::optional<MemoryUsage> usage;
  bool error = false;  // a failure other than the process being gone
};
MemoryReading read_process_memory(const ProcFs& procfs, const ProcessKey& key);

class MemoryRefresher {
 public:
  // The budget's averaging window: a burst (the first pass at start) may use a minute's worth.
  static constexpr std::chrono::seconds kBudgetWindow{60};

  // `table` is only touched with `table_mutex` held; every burst of reads is recorded in `stats`.
  MemoryRefresher(ProcFs procfs, ProcessTable& table, std::mutex& table_mutex, MemoryRefresherOptions options,
                  CollectorStats& stats);
  ~MemoryRefresher();

  void start();         // the pool's threads, until destroyed
  void refresh_once();  // every process not below min-rss, now, on the calling thread, without budget
  MemoryRefresherStatus status();

 private:
  using Clock = std::chrono::steady_clock;
  struct Worker;  // one thread's CPU clock and its current burst
  void run();
  // Lists the candidates again if it is time (or if forced), with mutex_ released meanwhile.
  // Returns the errors: outside a live procfs, one per candidate (at least one), else none.
  std::uint64_t list_candidates(std::unique_lock<std::mutex>& lock, bool force);
  // Reads (or skips) one claimed process, with mutex_ released; returns whether it was an error.
  bool read_one(std::unique_lock<std::mutex>& lock, const MemorySchedule::Due& due);
  void charge_thread_cpu(Worker& worker, Clock::time_point now);

  ProcFs procfs_;
  ProcessTable& table_;
  std::mutex& table_mutex_;
  MemoryRefresherOptions options_;
  CollectorStats& stats_;

  std::mutex mutex_;  // everything below
  std::condition_variable wake_;
  bool stopping_ = false;
  bool warned_not_live_ = false;
  bool listing_ = false;  // a thread is listing the candidates (with mutex_ released)
  Clock::time_point next_listing_{};
  MemorySchedule schedule_;
  CpuBudget budget_;
  MemoryRefresherStatus counts_;  // reads, read CPU, skips (the ages are computed on demand)
  std::vector<std::thread> threads_;
};

}  // namespace bpfproc
