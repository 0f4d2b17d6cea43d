#pragma once
// Pushes the daemon's snapshots to the remote_write receivers every --remote-write.interval, on
// its own thread: it reads the snapshot /metrics reads (never a collection of its own unless the
// latest is older than the interval), encodes it once, and hands the same body to every
// receiver's queue. Sending is each queue's own thread, so a receiver that is down delays
// neither collections, nor scrapes, nor the other receivers.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "bpfproc/push/remote_write_options.h"
#include "bpfproc/push/remote_write_queue.h"
#include "bpfproc/push/write_request_encoder.h"
#include "bpfproc/snapshot/snapshot_publisher.h"

namespace bpfproc {

class RemoteWriter {
 public:
  RemoteWriter(RemoteWriteOptions options, SnapshotPublisher& publisher);
  ~RemoteWriter();  // stops pushing, then every sender
  RemoteWriter(const RemoteWriter&) = delete;
  RemoteWriter& operator=(const RemoteWriter&) = delete;

  // Gives bpfproc_exporter_scrapes_total, which counts HTTP scrapes only (0 without); before start().
  void set_scrapes(std::function<std::uint64_t()> scrapes) { scrapes_ = std::move(scrapes); }
  void start();
  // Every queue's self-metrics, for /metrics and for the pushes.
  std::vector<RemoteWriteStatus> status() const;

 private:
  void run();
  void push_once();
  // The snapshot to push: a newer one than the last pushed, or null when stopping.
  std::shared_ptr<const ExporterSnapshot> next_snapshot();

  RemoteWriteOptions options_;
  SnapshotPublisher& publisher_;
  std::function<std::uint64_t()> scrapes_ = [] { return std::uint64_t{0}; };
  WriteRequestEncoder encoder_;
  std::vector<std::shared_ptr<RemoteWriteClient>> clients_;
  std::vector<std::unique_ptr<RemoteWriteQueue>> queues_;
  std::shared_ptr<const ExporterSnapshot> last_pushed_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;
};

// The wall-clock time of a snapshot's collection, in milliseconds since the epoch: the sample
// timestamp of every pushed series (collected_at is on the steady clock).
std::int64_t collection_unix_milliseconds(const ExporterSnapshot& snapshot);

}  // namespace bpfproc
