#pragma once
// What /metrics serves: every scrape reads a fresh snapshot from the publisher (never collecting
// itself), counts itself, and writes the text exposition of it directly (exposition/text_writer.h).
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bpfproc/exposition/remote_write_status.h"

#include "bpfproc/snapshot/snapshot_publisher.h"

namespace bpfproc {

class ScrapeSource {
 public:
  // `remote_write` gives the push queues' self-metrics (app wires push/ in; none without it).
  using RemoteWriteStatuses = std::function<std::vector<RemoteWriteStatus>()>;
  explicit ScrapeSource(SnapshotPublisher& publisher, RemoteWriteStatuses remote_write = {})
      : publisher_(publisher), remote_write_(std::move(remote_write)) {}

  // Replaces the contents of `text` with this scrape's exposition (empty if there is no snapshot
  // yet). The caller keeps `text` between scrapes so that its capacity is reused.
  void write(std::string& text) const;

  // The one scrape counter: bpfproc_exporter_scrapes_total shows it.
  std::uint64_t scrapes() const { return scrapes_.load(); }

 private:
  SnapshotPublisher& publisher_;
  RemoteWriteStatuses remote_write_;
  mutable std::atomic<std::uint64_t> scrapes_{0};
};

}  // namespace bpfproc
