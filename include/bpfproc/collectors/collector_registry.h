#pragma once
// The registry of collectors: which exist, which are enabled, and the self-metrics of each.
#include <memory>
#include <string_view>
#include <vector>

#include "bpfproc/collectors/collector.h"

namespace bpfproc {

// Every collector bpfproc has, in the order their self-metrics are listed.
const std::vector<CollectorDefinition>& builtin_collectors();

class CollectorRegistry {
 public:
  // Creates every enabled collector of `definitions`. The error names the collector that failed.
  static Result<std::unique_ptr<CollectorRegistry>> create(const std::vector<CollectorDefinition>& definitions,
                                                           const CollectorOptions& options, ProcessTracker* tracker);

  // Whether NAME is on, from the options or else its default; false for an unknown name.
  static bool enabled(const std::vector<CollectorDefinition>& definitions, const CollectorOptions& options,
                      std::string_view name);

  // Runs every enabled collector into `snapshot`, timing each one that does its work here, and
  // adds every collector's self-metrics. Never throws.
  void collect(ExporterSnapshot& snapshot);
  void start();        // the collectors' own threads
  void refresh_now();  // one pass of their background work, on this thread

 private:
  struct Entry {
    const CollectorDefinition* definition;
    std::unique_ptr<CollectorStats> stats;  // stable address: background collectors hold it
    std::unique_ptr<Collector> collector;
  };
  std::vector<Entry> entries_;
};

}  // namespace bpfproc
