#pragma once
// What /metrics serves: every scrape reads a fresh snapshot from the publisher (never collecting
// itself), counts itself, and writes the text exposition of it directly (exposition/text_writer.h).
#include <atomic>
#include <cstdint>
#include <string>

#include "bpfproc/snapshot/snapshot_publisher.h"

namespace bpfproc {

class ScrapeSource {
 public:
  explicit ScrapeSource(SnapshotPublisher& publisher) : publisher_(publisher) {}

  // Replaces the contents of `text` with this scrape's exposition (empty if there is no snapshot
  // yet). The caller keeps `text` between scrapes so that its capacity is reused.
  void write(std::string& text) const;

  // The one scrape counter: bpfproc_exporter_scrapes_total shows it.
  std::uint64_t scrapes() const { return scrapes_.load(); }

 private:
  SnapshotPublisher& publisher_;
  mutable std::atomic<std::uint64_t> scrapes_{0};
};

}  // namespace bpfproc
