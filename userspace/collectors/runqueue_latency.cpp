// The run-queue latency collector: per-group histograms of the waits for a CPU
// (bpfproc_group_runqueue_latency_seconds). Off by default: its program runs on every context
// switch (bpf/runqueue_latency.bpf.c), and the tracker loads it only when this collector is on; the
// task records carry the histograms. The default exposition still has the total wait and the
// number of timeslices, which the kernel counts anyway, so the mean wait costs nothing.
#include "bpfproc/collectors/collector.h"

namespace bpfproc {
namespace {

class RunqueueLatencyCollector : public Collector {
 public:
  explicit RunqueueLatencyCollector(RunqueueBuckets buckets) : buckets_(buckets) {}
  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    snapshot.runqueue_latency_enabled = true;
    snapshot.runqueue_latency_buckets = buckets_;
    return 0;
  }

 private:
  RunqueueBuckets buckets_;
};

}  // namespace

CollectorDefinition runqueue_latency_collector() {
  return {"runqueue-latency", "Run-queue latency histograms; attaches a program to sched_switch", false, false,
          [](CollectorEnvironment& environment) -> Result<std::unique_ptr<Collector>> {
            return std::unique_ptr<Collector>(
                std::make_unique<RunqueueLatencyCollector>(environment.options.runqueue_latency_buckets));
          }};
}

}  // namespace bpfproc
