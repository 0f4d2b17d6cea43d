#pragma once
// One receiver's queue and the thread that sends it, in order: a batch leaves the queue only when
// the receiver took it (2xx) or refused it for good (4xx other than 429: counted as failed and
// logged, never retried). 5xx, 429 and no answer are retried after a backoff with jitter, or the
// receiver's Retry-After; meanwhile new pushes wait behind, and the oldest are dropped when the
// queue is full. Nothing here blocks the pushing thread but the queue's own lock.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "bpfproc/exposition/remote_write_status.h"
#include "bpfproc/push/push_queue.h"
#include "bpfproc/push/remote_write_client.h"
#include "bpfproc/push/retry_backoff.h"

namespace bpfproc {

class RemoteWriteQueue {
 public:
  // `post` sends one body (a RemoteWriteClient's in the daemon, a fake in tests).
  using Post = std::function<PostResult(const std::string& body)>;

  RemoteWriteQueue(std::string url, std::size_t max_batches, Post post, BackoffOptions backoff = {});
  ~RemoteWriteQueue();  // stops the sender after the request under way; what is queued is lost
  RemoteWriteQueue(const RemoteWriteQueue&) = delete;
  RemoteWriteQueue& operator=(const RemoteWriteQueue&) = delete;

  void start();
  void enqueue(std::shared_ptr<const PushBatch> batch);
  RemoteWriteStatus status() const;

 private:
  void run();
  // Sends `batch` until it is taken, refused, dropped from the queue, or the queue stops.
  void deliver(const std::shared_ptr<const PushBatch>& batch);
  void record(const PostResult& result);
  // Waits `delay` unless stopping; false when stopping.
  bool pause(std::chrono::milliseconds delay);

  PushQueue queue_;
  Post post_;
  BackoffOptions backoff_;
  std::mt19937_64 random_;
  mutable std::mutex mutex_;  // status_ and stopping_
  std::condition_variable stop_;
  RemoteWriteStatus status_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace bpfproc
