#pragma once
// Reads /proc/PID/smaps_rollup of every grouped live process, in the background, on its own
// interval and within a CPU budget, so a scrape never waits for memory. smaps_rollup costs ~14 µs
// for a small process but far more for a large one (the kernel walks every VMA under the
// target's mmap lock), which is why it is kept off the scrape path.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "bpfproc/collectors/collector_stats.h"
#include "bpfproc/grouping/process_table.h"
#include "bpfproc/procfs/procfs.h"
#include "bpfproc/procfs/smaps_rollup.h"

namespace bpfproc {

struct MemoryRefresherOptions {
  std::chrono::milliseconds interval{30000};
  // Fraction of one CPU a refresh may use; above it the refresher sleeps between reads.
  double cpu_budget = 0.1;
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
  // `table` is only touched with `table_mutex` held; every pass is recorded in `stats`.
  MemoryRefresher(ProcFs procfs, ProcessTable& table, std::mutex& table_mutex, MemoryRefresherOptions options,
                  CollectorStats& stats);
  ~MemoryRefresher();

  void start();  // background thread: refresh, then wait `interval`, until destroyed
  void refresh_once();  // one full pass on the calling thread

 private:
  void run();

  ProcFs procfs_;
  ProcessTable& table_;
  std::mutex& table_mutex_;
  MemoryRefresherOptions options_;
  CollectorStats& stats_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool warned_not_live_ = false;  // refresher thread only
  std::thread thread_;
};

}  // namespace bpfproc
