#pragma once
// The registry of collectors: which exist, which are enabled, and the self-metrics of each.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/collectors/collector.h"

namespace bpfproc {

// Every collector bpfproc has, in the order their self-metrics are listed.
const std::vector<CollectorDefinition>& builtin_collectors();

// The flags that switch several collectors at once (CollectorDefinition::group): name and help.
struct CollectorGroup {
  std::string name;  // the flag is --collector.NAME
  std::string help;
};
const std::vector<CollectorGroup>& builtin_collector_groups();

class CollectorRegistry {
 public:
  // Creates every enabled collector of `definitions`. The error names the collector that failed.
  static Result<std::unique_ptr<CollectorRegistry>> create(const std::vector<CollectorDefinition>& definitions,
                                                           const CollectorOptions& options, ProcessTracker* tracker);

  // Whether NAME is on, from the options or else its default; false for an unknown name.
  static bool enabled(const std::vector<CollectorDefinition>& definitions, const CollectorOptions& options,
                      std::string_view name);

  // --collector.GROUP / --no-collector.GROUP given as `enabled`: every collector of GROUP whose own
  // flag is not among `given` (names) is set to it in `collectors`.
  static void apply_group_flag(const std::vector<CollectorDefinition>& definitions, std::string_view group,
                               bool enabled, const std::set<std::string>& given, std::map<std::string, bool>& collectors);

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
