#pragma once
// When the memory refresher reads each process: by the cost of its reads (the lower of the last
// two). Reading smaps_rollup holds the target's mmap lock while the kernel walks its mappings, so
// a costly read stalls the process being read. A read that costs up to kCheapReadSeconds of CPU is made every
// interval; one that costs k times that, every k intervals, and never less often than max_age.
// Each process is thereby stalled for about the same share of its time, whatever its size.
// Not thread-safe: the refresher holds its lock around every call.
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bpfproc/accounting/process_accounts.h"
#include "bpfproc/grouping/process_table.h"

namespace bpfproc {

struct MemoryScheduleOptions {
  std::chrono::milliseconds interval{30000};  // --memory.interval: how often a cheap read is made
  std::chrono::milliseconds max_age{600000};  // --memory.max-age: the longest a process waits
  std::uint64_t min_rss_bytes = 0;            // --memory.min-rss: smaller processes are not read
};

class MemorySchedule {
 public:
  using Clock = std::chrono::steady_clock;
  // smaps_rollup of a small process costs ~14 µs on an idle host, and several times that on a
  // busy one; 1 ms leaves room for that noise and covers processes of some thousand mappings.
  static constexpr double kCheapReadSeconds = 1e-3;

  explicit MemorySchedule(MemoryScheduleOptions options) : options_(options) {}

  // The candidates now: new ones are due at once, those no longer listed are forgotten.
  void update(const std::vector<MemoryCandidate>& candidates, Clock::time_point now);

  enum class Take { read, too_small };
  struct Due {
    ProcessKey key;
    Take action = Take::read;
  };
  // The most overdue process that is not being read, now claimed until finish(); nullopt when
  // none is due. With `over_budget`, only a process whose data has reached max_age.
  std::optional<Due> take_due(Clock::time_point now, bool over_budget);
  // Claims a process for a read now, due or not (a full pass); false if it is being read or unknown.
  bool claim(const ProcessKey& key);
  // A claimed process's read ended: `cost_seconds` of CPU, and whether it gave data (`fresh`).
  // A process below min_rss is looked at again an interval later.
  void finish(const ProcessKey& key, Clock::time_point now, double cost_seconds, bool fresh);
  // When the next process falls due (time_point::max() for none); claimed ones do not count.
  Clock::time_point next_due() const;
  bool any_due(Clock::time_point now) const { return next_due() <= now; }

  // The period that follows a read of this cost.
  Clock::duration period(double cost_seconds) const;

  // Age of the data of the processes that are read (not below min_rss): since their last read
  // that gave data, or since they were first listed.
  struct Ages {
    double max_seconds = 0;
    double median_seconds = 0;
    std::size_t processes = 0;
  };
  Ages ages(Clock::time_point now) const;

  std::vector<ProcessKey> readable() const;  // every process not below min_rss
  std::size_t size() const { return processes_.size(); }

 private:
  struct Entry {
    Clock::time_point due;
    Clock::time_point fresh_since;  // last read with data, or when it was first listed
    double cost_seconds = 0;       // what the schedule goes by: the lower of the last two reads'
    double last_read_seconds = 0;  // the last read's own cost
    std::uint64_t resident_bytes = 0;
    std::uint64_t listed = 0;  // the last update() that listed it
    bool claimed = false;
  };
  bool too_small(const Entry& entry) const { return entry.resident_bytes < options_.min_rss_bytes; }

  MemoryScheduleOptions options_;
  std::uint64_t updates_ = 0;
  std::unordered_map<ProcessKey, Entry, ProcessKeyHash> processes_;
  std::set<std::pair<Clock::time_point, ProcessKey>> queue_;  // unclaimed processes by due time
};

}  // namespace bpfproc
