#pragma once
// The batches of one receiver that wait to be sent, oldest first. Bounded: while a receiver is
// down, the newest data is the most useful, so a full queue drops its oldest batch to make room
// and counts the samples it held. Thread-safe: the pushing thread adds, the sender takes.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace bpfproc {

// One WriteRequest, encoded and compressed once, sent as often as it takes.
struct PushBatch {
  std::string body;  // snappy-compressed protobuf
  std::size_t samples = 0;
};

class PushQueue {
 public:
  explicit PushQueue(std::size_t max_batches) : max_batches_(max_batches == 0 ? 1 : max_batches) {}

  // Appends, dropping the oldest batches while the queue is full. Returns the samples dropped.
  std::size_t push(std::shared_ptr<const PushBatch> batch);
  // The oldest batch, waiting up to `timeout` for one; null on timeout or after close().
  std::shared_ptr<const PushBatch> front(std::chrono::milliseconds timeout);
  // Removes `batch` if it is still the oldest (a push may have dropped it meanwhile).
  void pop(const std::shared_ptr<const PushBatch>& batch);
  void close();  // wakes every waiter; front() returns null from then on

  std::size_t samples() const;
  std::size_t batches() const;
  std::uint64_t samples_dropped() const;
  std::size_t max_batches() const { return max_batches_; }

 private:
  const std::size_t max_batches_;
  mutable std::mutex mutex_;
  std::condition_variable added_;
  std::deque<std::shared_ptr<const PushBatch>> batches_;
  std::size_t samples_ = 0;
  std::uint64_t dropped_ = 0;
  bool closed_ = false;
};

}  // namespace bpfproc
