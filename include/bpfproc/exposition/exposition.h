#pragma once
// Builds the metric families of one scrape from a snapshot. A pure function, so a fixed snapshot
// can be checked against a golden file.
#include <cstdint>
#include <vector>

#include <prometheus/metric_family.h>

#include "bpfproc/exposition/remote_write_status.h"
#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

// What the reader adds to the snapshot it shows: many scrapes share one snapshot, so the web
// layer counts them, not the collection.
struct ReaderCounts {
  std::uint64_t scrapes = 0;
  // The remote_write queues (push/), when there are any; only the text writer shows them.
  const std::vector<RemoteWriteStatus>* remote_write = nullptr;
};

std::vector<prometheus::MetricFamily> build_exposition(const ExporterSnapshot& snapshot, const ReaderCounts& reader);

// Number of samples (series) in the families, as the text format would print them.
std::size_t count_series(const std::vector<prometheus::MetricFamily>& families);

}  // namespace bpfproc
