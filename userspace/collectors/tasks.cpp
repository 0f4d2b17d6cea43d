// The tasks collector: exact CPU and scheduling counters of every group, from the BPF task
// iterator and lifecycle events (bpfproc_group_cpu_seconds_total and the other group counters).
#include "bpfproc/collectors/collector.h"
#include "bpfproc/collectors/process_tracker.h"

namespace bpfproc {
namespace {

class TasksCollector : public Collector {
 public:
  explicit TasksCollector(ProcessTracker& tracker) : tracker_(tracker) {}

  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    const std::uint64_t errors = tracker_.collect();
    tracker_.fill(snapshot);
    return errors;
  }

 private:
  ProcessTracker& tracker_;
};

}  // namespace

CollectorDefinition tasks_collector() {
  return {"tasks", "Exact CPU and scheduling counters per group, from the BPF task iterator", true, false,
          [](CollectorEnvironment& environment) -> Result<std::unique_ptr<Collector>> {
            if (environment.tracker == nullptr) return Error{"needs the BPF process tracker", ""};
            return std::unique_ptr<Collector>(std::make_unique<TasksCollector>(*environment.tracker));
          }};
}

}  // namespace bpfproc
