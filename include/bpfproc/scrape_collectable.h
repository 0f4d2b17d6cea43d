#pragma once
// The prometheus-cpp Collectable behind /metrics: every scrape runs one collection and builds the
// exposition from it.
#include <vector>

#include <prometheus/collectable.h>

#include "bpfproc/process_monitor.h"

namespace bpfproc {

class ScrapeCollectable : public prometheus::Collectable {
 public:
  explicit ScrapeCollectable(ProcessMonitor& monitor) : monitor_(monitor) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  ProcessMonitor& monitor_;
};

}  // namespace bpfproc
