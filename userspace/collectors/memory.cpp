// The memory collector: group memory from smaps_rollup (bpfproc_group_memory_bytes), read by the
// refresher on its own threads and schedule, never on the collection path; and the refresher's
// own figures (the age of its data, what its reads cost, what it skipped).
#include "bpfproc/collectors/collector.h"
#include "bpfproc/collectors/memory_refresher.h"
#include "bpfproc/collectors/process_tracker.h"

namespace bpfproc {
namespace {

class MemoryCollector : public Collector {
 public:
  MemoryCollector(CollectorEnvironment& environment, ProcessTracker& tracker)
      : refresher_(tracker.procfs(), tracker.table(), tracker.mutex(), environment.options.memory, environment.stats) {}

  // The readings are already in the process table; the tasks collector sums them per group.
  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    snapshot.memory_enabled = true;
    snapshot.memory_refresher = refresher_.status();
    return 0;
  }
  void start() override { refresher_.start(); }
  void refresh_now() override { refresher_.refresh_once(); }

 private:
  MemoryRefresher refresher_;
};

}  // namespace

CollectorDefinition memory_collector() {
  return {"memory", "Read memory from smaps_rollup", true, true,
          [](CollectorEnvironment& environment) -> Result<std::unique_ptr<Collector>> {
            if (environment.tracker == nullptr) return Error{"needs the BPF process tracker", ""};
            return std::unique_ptr<Collector>(std::make_unique<MemoryCollector>(environment, *environment.tracker));
          }};
}

}  // namespace bpfproc
