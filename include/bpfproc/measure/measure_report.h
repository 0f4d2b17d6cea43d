#pragma once
// What `bpfproc measure` prints when the command is done: a readable report (for stderr, like
// `time -v`) or JSON (for stdout). Pure functions of the figures, so tests can check them.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bpfproc/accounting/process_tree.h"

namespace bpfproc {

// Peaks of the sums over the tree's live processes, each taken at its own sample.
struct PeakMemory {
  std::uint64_t rss = 0;  // bytes; a page shared by two processes counts twice, as in RSS itself
  std::uint64_t pss = 0;
  std::uint64_t uss = 0;
  std::uint64_t samples = 0;
};

struct MeasureReport {
  std::vector<std::string> command;
  int exit_code = 0;           // the command's, or 128 + N when signal N killed it
  int signal = 0;              // the signal that killed it, 0 when it exited
  double wall_seconds = 0;
  TreeTotals totals;
  PeakMemory peak_memory;
  // Losses are counted host-wide while measuring: the programs see every task, not only ours.
  std::uint64_t events_lost = 0;          // ring buffer full: fork/exit events, so figures may be low
  std::uint64_t runqueue_waits_lost = 0;  // no task storage: waits missing from the latency histogram
  std::uint64_t exits_unobserved = 0;     // processes whose final exit event never came
};

// Run-queue latency quantiles reported, with their JSON keys.
struct LatencyQuantile {
  const char* key;
  double quantile;
};
inline constexpr LatencyQuantile kLatencyQuantiles[] = {{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}};

// Keys in a fixed, readable order (ordered_json), the way the readable report lists them.
nlohmann::ordered_json measure_report_json(const MeasureReport& report);
std::string measure_report_text(const MeasureReport& report);

}  // namespace bpfproc
