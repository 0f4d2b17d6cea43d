#include "bpfproc/push/push_queue.h"

namespace bpfproc {

std::size_t PushQueue::push(std::shared_ptr<const PushBatch> batch) {
  std::size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    while (batches_.size() >= max_batches_) {
      dropped += batches_.front()->samples;
      samples_ -= batches_.front()->samples;
      batches_.pop_front();
    }
    samples_ += batch->samples;
    batches_.push_back(std::move(batch));
    dropped_ += dropped;
  }
  added_.notify_all();
  return dropped;
}

std::shared_ptr<const PushBatch> PushQueue::front(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  added_.wait_for(lock, timeout, [this] { return closed_ || !batches_.empty(); });
  if (closed_ || batches_.empty()) return nullptr;
  return batches_.front();
}

void PushQueue::pop(const std::shared_ptr<const PushBatch>& batch) {
  std::lock_guard lock(mutex_);
  if (batches_.empty() || batches_.front() != batch) return;
  samples_ -= batch->samples;
  batches_.pop_front();
}

void PushQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  added_.notify_all();
}

std::size_t PushQueue::samples() const {
  std::lock_guard lock(mutex_);
  return samples_;
}

std::size_t PushQueue::batches() const {
  std::lock_guard lock(mutex_);
  return batches_.size();
}

std::uint64_t PushQueue::samples_dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace bpfproc
