// The sender's decisions against a fake receiver: 2xx sent, 4xx refused once, 5xx and 429 retried
// (with Retry-After honoured), batches in order.
#include "bpfproc/push/remote_write_queue.h"

#include <condition_variable>
#include <deque>
#include <mutex>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

using namespace std::chrono_literals;

// Answers with the scripted statuses in turn (200 once they run out) and records each body.
class FakeReceiver {
 public:
  explicit FakeReceiver(std::deque<PostResult> answers) : answers_(std::move(answers)) {}

  PostResult post(const std::string& body) {
    std::lock_guard lock(mutex_);
    bodies_.push_back(body);
    changed_.notify_all();
    if (answers_.empty()) return {.status = 200};
    PostResult answer = answers_.front();
    answers_.pop_front();
    return answer;
  }
  // Waits until `count` requests came (or 10 s) and returns their bodies.
  std::vector<std::string> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return bodies_.size() >= count; });
    return bodies_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<PostResult> answers_;
  std::vector<std::string> bodies_;
};

std::shared_ptr<const PushBatch> batch(const std::string& body, std::size_t samples) {
  return std::make_shared<PushBatch>(PushBatch{body, samples});
}

// Waits until the queue is empty (or 10 s).
RemoteWriteStatus drained(const RemoteWriteQueue& queue) {
  for (int tries = 0; tries < 1000 && queue.status().queue_samples != 0; ++tries) std::this_thread::sleep_for(10ms);
  return queue.status();
}

const BackoffOptions kFast{1ms, 5ms};

TEST(RemoteWriteQueue, SendsBatchesInOrder) {
  FakeReceiver receiver({});
  RemoteWriteQueue queue("http://r", 10, [&](const std::string& body) { return receiver.post(body); }, kFast);
  queue.enqueue(batch("a", 1));
  queue.enqueue(batch("b", 2));
  queue.enqueue(batch("c", 3));
  queue.start();
  EXPECT_EQ(receiver.wait_for(3), (std::vector<std::string>{"a", "b", "c"}));
  const RemoteWriteStatus status = drained(queue);
  EXPECT_EQ(status.samples_sent, 6u);
  EXPECT_EQ(status.samples_failed + status.samples_retried + status.samples_dropped, 0u);
  EXPECT_GT(status.last_success_unix_seconds, 0);
  EXPECT_EQ(status.duration_count, 3u);
}

TEST(RemoteWriteQueue, NeverRetriesABadRequest) {
  FakeReceiver receiver({{.status = 400, .error = "out of order sample"}});
  RemoteWriteQueue queue("http://r", 10, [&](const std::string& body) { return receiver.post(body); }, kFast);
  queue.enqueue(batch("bad", 5));
  queue.enqueue(batch("good", 7));
  queue.start();
  EXPECT_EQ(receiver.wait_for(2), (std::vector<std::string>{"bad", "good"}));
  const RemoteWriteStatus status = drained(queue);
  EXPECT_EQ(status.samples_failed, 5u);
  EXPECT_EQ(status.samples_retried, 0u);
  EXPECT_EQ(status.samples_sent, 7u);
}

TEST(RemoteWriteQueue, RetriesServerErrorsAndTooManyRequestsUntilTaken) {
  FakeReceiver receiver({{.status = 503}, {.status = 0, .error = "Connection refused"}, {.status = 429, .retry_after = "0"}});
  RemoteWriteQueue queue("http://r", 10, [&](const std::string& body) { return receiver.post(body); }, kFast);
  queue.enqueue(batch("x", 4));
  queue.enqueue(batch("y", 1));
  queue.start();
  EXPECT_EQ(receiver.wait_for(5), (std::vector<std::string>{"x", "x", "x", "x", "y"}));
  const RemoteWriteStatus status = drained(queue);
  EXPECT_EQ(status.samples_retried, 12u);  // three retries of 4 samples
  EXPECT_EQ(status.samples_sent, 5u);
  EXPECT_EQ(status.samples_failed, 0u);
}

TEST(RemoteWriteQueue, HonoursRetryAfter) {
  FakeReceiver receiver({{.status = 503, .retry_after = "1"}});
  RemoteWriteQueue queue("http://r", 10, [&](const std::string& body) { return receiver.post(body); }, kFast);
  queue.enqueue(batch("x", 1));
  const auto start = std::chrono::steady_clock::now();
  queue.start();
  receiver.wait_for(2);
  // The backoff alone would retry within 5 ms; Retry-After asks for a second.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
}

}  // namespace
}  // namespace bpfproc
