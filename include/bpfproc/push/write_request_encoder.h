#pragma once
// Turns a snapshot into one remote_write 1.0 request body: a prometheus.WriteRequest (protobuf),
// snappy block-compressed. The samples are those of /metrics, read through the same family
// writers (write_exposition_series), stamped with the snapshot's collection time; each series
// gets the external labels it lacks, and its labels are sorted with __name__ among them. Series
// of the previous request that are gone get a stale marker.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bpfproc/exposition/exposition.h"
#include "bpfproc/push/push_queue.h"
#include "bpfproc/push/stale_series.h"
#include "bpfproc/snapshot/snapshot.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

class WriteRequestEncoder {
 public:
  // External labels (host identity, --label): added to a series unless it has the label already.
  explicit WriteRequestEncoder(SeriesLabels external_labels);

  // Not thread-safe: one encoder per pushing thread (it remembers the last request's series).
  PushBatch encode(const ExporterSnapshot& snapshot, const ReaderCounts& reader, std::int64_t timestamp_ms);

  // The stale markers of this push (tests, logs).
  std::size_t last_stale_markers() const { return last_stale_markers_; }

 private:
  SeriesLabels external_labels_;
  StaleSeries stale_;
  std::string encoded_;  // the uncompressed request, kept between pushes: its capacity is reused
  std::size_t last_stale_markers_ = 0;
};

// Decompresses and parses a body (tests, tools): the series as (sorted labels, value, timestamp).
struct DecodedSample {
  SeriesLabels labels;
  double value = 0;
  std::int64_t timestamp_ms = 0;
};
Result<std::vector<DecodedSample>> decode_write_request(const std::string& body);

}  // namespace bpfproc
