#pragma once
// The prometheus-cpp Collectable behind /metrics: every scrape reads a fresh snapshot from the
// publisher (never collecting itself), counts itself, and builds the exposition from it.
#include <atomic>
#include <cstdint>
#include <vector>

#include <prometheus/collectable.h>

#include "bpfproc/snapshot/snapshot_publisher.h"

namespace bpfproc {

class ScrapeCollectable : public prometheus::Collectable {
 public:
  explicit ScrapeCollectable(SnapshotPublisher& publisher) : publisher_(publisher) {}
  std::vector<prometheus::MetricFamily> Collect() const override;
  std::uint64_t scrapes() const { return scrapes_.load(); }

 private:
  SnapshotPublisher& publisher_;
  mutable std::atomic<std::uint64_t> scrapes_{0};
};

}  // namespace bpfproc
