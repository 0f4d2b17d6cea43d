// The run-queue latency collector: per-group histograms of the waits for a CPU
// (bpfproc_group_runqueue_latency_seconds). The kernel side records them only when this collector
// is on (the tracker loads the wakeup programs then); the task records carry them.
#include "bpfproc/collectors/collector.h"

namespace bpfproc {
namespace {

class RunqueueLatencyCollector : public Collector {
 public:
  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    snapshot.runqueue_latency_enabled = true;
    return 0;
  }
};

}  // namespace

CollectorDefinition runqueue_latency_collector() {
  return {"runqueue-latency", "Run-queue latency histograms; attaches the sched_wakeup programs", true, false,
          [](CollectorEnvironment&) -> Result<std::unique_ptr<Collector>> {
            return std::unique_ptr<Collector>(std::make_unique<RunqueueLatencyCollector>());
          }};
}

}  // namespace bpfproc
