#include "bpfproc/push/remote_write_queue.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

namespace bpfproc {
namespace {

double unix_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

RemoteWriteQueue::RemoteWriteQueue(std::string url, std::size_t max_batches, Post post, BackoffOptions backoff)
    : queue_(max_batches), post_(std::move(post)), backoff_(backoff), random_(std::random_device{}()) {
  status_.url = std::move(url);
}

RemoteWriteQueue::~RemoteWriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void RemoteWriteQueue::start() { thread_ = std::thread([this] { run(); }); }

void RemoteWriteQueue::enqueue(std::shared_ptr<const PushBatch> batch) {
  const std::size_t dropped = queue_.push(std::move(batch));
  if (dropped != 0) spdlog::warn("remote_write {}: queue full, dropped the oldest {} samples", status_.url, dropped);
}

RemoteWriteStatus RemoteWriteQueue::status() const {
  std::lock_guard lock(mutex_);
  RemoteWriteStatus status = status_;
  status.queue_samples = queue_.samples();
  status.samples_dropped = queue_.samples_dropped();
  return status;
}

void RemoteWriteQueue::run() {
  for (;;) {
    // The timeout only bounds how long a stop waits; a new batch wakes the sender at once.
    std::shared_ptr<const PushBatch> batch = queue_.front(std::chrono::seconds(1));
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (batch) deliver(batch);
  }
}

void RemoteWriteQueue::deliver(const std::shared_ptr<const PushBatch>& batch) {
  for (std::uint32_t attempt = 1;; ++attempt) {
    const PostResult result = post_(batch->body);
    record(result);
    if (result.status >= 200 && result.status <= 299) {
      std::lock_guard lock(mutex_);
      status_.samples_sent += batch->samples;
      status_.last_success_unix_seconds = unix_seconds_now();
      break;
    }
    if (!retryable_status(result.status)) {
      spdlog::error("remote_write {}: HTTP {}, {} samples refused (not retried): {}", status_.url, result.status,
                    batch->samples, result.error);
      std::lock_guard lock(mutex_);
      status_.samples_failed += batch->samples;
      break;
    }
    const auto retry_after = parse_retry_after(
        result.retry_after, std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count());
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    // A Retry-After longer than the backoff's maximum is the receiver's word; shorter ones too.
    const auto delay = retry_after ? *retry_after : backoff_delay(backoff_, attempt, uniform(random_));
    if (attempt == 1 || attempt % 10 == 0)
      spdlog::warn("remote_write {}: {} (attempt {}), retrying in {} ms", status_.url,
                   result.status == 0 ? result.error : "HTTP " + std::to_string(result.status), attempt, delay.count());
    if (!pause(delay)) return;
    {
      std::lock_guard lock(mutex_);
      status_.samples_retried += batch->samples;
    }
    // A full queue may have dropped this batch while it waited (counted there): go on with the next.
    if (queue_.front(std::chrono::milliseconds(0)) != batch) return;
  }
  queue_.pop(batch);
}

void RemoteWriteQueue::record(const PostResult& result) {
  std::lock_guard lock(mutex_);
  const auto& bounds = RemoteWriteStatus::kDurationBuckets;
  const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), result.seconds) - bounds.begin();
  if (static_cast<std::size_t>(bucket) < bounds.size()) ++status_.duration_bucket_counts[bucket];
  ++status_.duration_count;
  status_.duration_sum_seconds += result.seconds;
}

bool RemoteWriteQueue::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !stop_.wait_for(lock, delay, [this] { return stopping_; });
}

}  // namespace bpfproc
