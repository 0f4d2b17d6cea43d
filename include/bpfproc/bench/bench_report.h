#pragma once
// What `bpfproc bench` measured, the thresholds --check applies, and the two ways of printing it:
// a table for people and one JSON object for scripts. Pure functions of the figures, so they are
// unit-tested without running anything.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bpfproc/bench/pingpong.h"
#include "bpfproc/kernel/program_stats.h"

namespace bpfproc {

// The median; the mean of the two middle values for an even count; 0 for none.
double median(std::vector<double> values);

// One A/B pair of ping-pong runs: A with the programs attached, then B with them detached.
struct PingPongPair {
  PingPongRun attached;
  PingPongRun detached;
  double ratio() const;  // attached ns/switch ÷ detached ns/switch
};

// The ping-pong with one set of programs attached, against nothing attached.
struct SwitchOverhead {
  std::string key;          // "default_collectors", "runqueue_latency_on" or "floor"
  std::string description;  // for the table
  std::vector<PingPongPair> pairs;
  // The kernel's run-time statistics of each program, from a separate untimed run.
  std::vector<ProgramStats> programs;
  // Another process held BPF_ENABLE_STATS during an attached run, which then also paid for the
  // statistics (about 20 ns per program run): the overhead is overstated.
  bool statistics_on_elsewhere = false;

  double attached_median_ns() const;
  double detached_median_ns() const;
  // The figure bench reports and --check judges: the median over pairs of (A ÷ B) − 1. Each pair
  // ran back to back, so a change in background load during the benchmark shifts both runs of a
  // pair alike and cancels in its ratio, whereas the ratio of the two medians can pair an A from
  // a quiet moment with a B from a busy one. The median then ignores a pair that a burst hit.
  double overhead() const;
  double overhead_of_medians() const;  // median(A) ÷ median(B) − 1, reported for comparison
};

// One collection-cost measurement with `processes` extra sleeping processes on the host.
struct CollectionCost {
  std::uint64_t processes = 0;          // swarm size
  std::uint64_t tracked_processes = 0;  // what the daemon saw (bpfproc_exporter_tracked_processes)
  std::uint64_t scrapes = 0;
  double collection_cpu_seconds = 0;   // per scrape: CPU of one "tasks" collection (thread clock)
  double collection_wall_seconds = 0;  // per scrape: wall time of that collection
  double daemon_cpu_per_scrape_seconds = 0;  // the daemon's whole-process CPU clock, per scrape
  std::vector<double> scrape_seconds;        // wall time of each HTTP GET /metrics
  double memory_refresh_seconds = 0;      // wall time of the memory refresher's first burst of reads
  double memory_refresh_cpu_seconds = 0;  // CPU time of that pass
  std::uint64_t resident_bytes = 0;       // VmRSS of the daemon after the scrapes

  double scrape_median_seconds() const { return median(scrape_seconds); }
};

// Short-lived processes of known CPU cost, against what the daemon exported for them.
struct ChurnCapture {
  std::uint64_t processes = 0;          // burn children started by churn
  std::uint64_t burn_milliseconds = 0;  // CPU each burns
  double wall_seconds = 0;
  double rusage_cpu_seconds = 0;    // churn's own CPU + its children's, from wait4
  double exported_cpu_seconds = 0;  // delta of the churn group's bpfproc_group_cpu_seconds_total
  double exported_exits = 0;        // delta of its bpfproc_group_process_exits_total
  std::map<std::string, double> events_lost;  // delta of bpfproc_exporter_events_lost_total

  double captured() const { return rusage_cpu_seconds > 0 ? exported_cpu_seconds / rusage_cpu_seconds : 0; }
};

struct BenchReport {
  std::string kernel;
  unsigned cpus = 0;
  int pingpong_cpu = 0;
  std::uint64_t round_trips = 0;
  std::vector<SwitchOverhead> switch_overheads;
  std::vector<CollectionCost> collection;
  std::optional<ChurnCapture> churn;
};

// One documented threshold of --check.
struct Check {
  std::string name;
  bool measured = false;  // false when the run did not produce the figure (e.g. no 10k processes)
  double value = 0;
  double limit = 0;
  bool at_most = true;  // value <= limit passes; otherwise value >= limit passes
  std::string unit;     // "%" (value and limit are fractions) or "ms" (seconds)
  bool pass = false;
};

std::vector<Check> evaluate_checks(const BenchReport& report);
// The checks that failed, in one line ("churn capture 98.10% (limit >= 99.50%); ..."); empty
// when every check passed.
std::string missed_checks(const std::vector<Check>& checks);
nlohmann::json report_json(const BenchReport& report, const std::vector<Check>& checks);
std::string report_table(const BenchReport& report, const std::vector<Check>& checks);

}  // namespace bpfproc
