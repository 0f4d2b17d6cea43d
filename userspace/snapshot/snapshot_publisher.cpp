#include "bpfproc/snapshot/snapshot_publisher.h"

namespace bpfproc {

SnapshotPublisher::SnapshotPublisher(Collect collect, PublisherOptions options)
    : collect_(std::move(collect)), options_(options) {}

SnapshotPublisher::~SnapshotPublisher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const ExporterSnapshot> SnapshotPublisher::publish_now() {
  std::shared_ptr<ExporterSnapshot> snapshot = collect_();
  std::lock_guard lock(mutex_);
  publish(std::move(snapshot));
  return latest_;
}

void SnapshotPublisher::start() { thread_ = std::thread([this] { run(); }); }

void SnapshotPublisher::publish(std::shared_ptr<ExporterSnapshot> snapshot) {
  snapshot->generation = ++generation_;
  snapshot->collected_at = Clock::now();
  latest_ = std::move(snapshot);
  published_.notify_all();
}

void SnapshotPublisher::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const Clock::time_point due =
        latest_ ? latest_->collected_at + options_.interval : Clock::now();
    wake_.wait_until(lock, due, [&] { return stopping_ || requested_ > generation_ || Clock::now() >= due; });
    if (stopping_) break;
    collecting_ = true;
    lock.unlock();
    std::shared_ptr<ExporterSnapshot> snapshot = collect_();
    lock.lock();
    collecting_ = false;
    publish(std::move(snapshot));
  }
}

std::uint64_t SnapshotPublisher::request_locked() {
  // A collection under way started before this request: the one after it is the first that
  // starts after now.
  const std::uint64_t wanted = generation_ + (collecting_ ? 2 : 1);
  if (requested_ < wanted) requested_ = wanted;
  wake_.notify_all();
  return wanted;
}

std::shared_ptr<const ExporterSnapshot> SnapshotPublisher::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

std::shared_ptr<const ExporterSnapshot> SnapshotPublisher::fresh() {
  std::unique_lock lock(mutex_);
  if (latest_ && Clock::now() - latest_->collected_at <= options_.max_age) return latest_;
  // A collection already under way is fresh enough: it started at most one collection ago.
  std::uint64_t wanted = generation_ + 1;
  if (!collecting_) wanted = request_locked();
  published_.wait_for(lock, options_.reader_wait, [&] { return generation_ >= wanted || stopping_; });
  return latest_;
}

std::shared_ptr<const ExporterSnapshot> SnapshotPublisher::collect_and_wait() {
  std::unique_lock lock(mutex_);
  const std::uint64_t wanted = request_locked();
  published_.wait(lock, [&] { return generation_ >= wanted || stopping_; });
  return latest_;
}

std::uint64_t SnapshotPublisher::collections() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

double SnapshotPublisher::age_seconds(const ExporterSnapshot& snapshot) {
  return std::chrono::duration<double>(Clock::now() - snapshot.collected_at).count();
}

}  // namespace bpfproc
