#pragma once
// Publishes one immutable snapshot per collection and hands the latest to every reader.
//
// Collection is separate from reading: collections run on the publisher's own thread, on a timer
// and when a reader finds the latest snapshot older than max_age. Readers never collect
// themselves, so concurrent readers share one collection, and a collection stuck in a slow read
// (a /proc file whose owner holds its mmap lock) delays a reader by at most reader_wait, after
// which it gets the latest snapshot there is.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

struct PublisherOptions {
  // A reader accepts a snapshot up to this old; an older one makes it ask for a collection.
  // Prometheus stamps samples with the scrape's time, so a served snapshot's age is an error in
  // every rate(): with 1 s scrapes and a 1 s max age a steady 1-CPU burner read as 1.11 CPU over
  // a 10 s window. 100 ms bounds that error to 1% of such a window, and scrapes that arrive
  // together still share one collection.
  std::chrono::milliseconds max_age{100};
  // Without readers, a collection runs this often anyway, so that exited processes leave the
  // table and their groups' counters stay current.
  std::chrono::milliseconds interval{15000};
  // How long a reader waits for a collection it asked for before it takes the latest snapshot.
  std::chrono::milliseconds reader_wait{1000};
};

class SnapshotPublisher {
 public:
  // `collect` runs one collection; it is only ever called from the publisher's thread (or from
  // publish_now before start), never concurrently with itself.
  using Collect = std::function<std::shared_ptr<ExporterSnapshot>()>;

  SnapshotPublisher(Collect collect, PublisherOptions options);
  ~SnapshotPublisher();  // stops the thread, after the collection under way if any
  SnapshotPublisher(const SnapshotPublisher&) = delete;
  SnapshotPublisher& operator=(const SnapshotPublisher&) = delete;

  // Runs one collection on the calling thread and publishes it (the first one, `once`).
  // Must not be called once start() has run.
  std::shared_ptr<const ExporterSnapshot> publish_now();
  void start();  // the collection thread

  // The latest snapshot, whatever its age; null before the first.
  std::shared_ptr<const ExporterSnapshot> latest() const;
  // A snapshot no older than max_age, waiting for one collection if needed (at most reader_wait).
  std::shared_ptr<const ExporterSnapshot> fresh();
  // A snapshot whose collection started after this call, waiting as long as it takes (tests).
  std::shared_ptr<const ExporterSnapshot> collect_and_wait();

  std::uint64_t collections() const;
  // Age of a snapshot: how long ago its collection finished.
  static double age_seconds(const ExporterSnapshot& snapshot);

 private:
  using Clock = std::chrono::steady_clock;
  void run();
  void publish(std::shared_ptr<ExporterSnapshot> snapshot);  // requires mutex_
  // Asks for a collection that starts after now; returns the generation that will hold it.
  std::uint64_t request_locked();  // requires mutex_

  Collect collect_;
  PublisherOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;       // the collection thread: a request, or stop
  std::condition_variable published_;  // readers: a new snapshot
  std::shared_ptr<const ExporterSnapshot> latest_;
  std::uint64_t generation_ = 0;       // snapshots published so far
  bool collecting_ = false;            // a collection is under way
  std::uint64_t requested_ = 0;        // the generation a reader waits for; 0 for none
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace bpfproc
