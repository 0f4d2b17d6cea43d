#include "bpfproc/push/remote_writer.h"

#include <chrono>

#include <spdlog/spdlog.h>

namespace bpfproc {

std::int64_t collection_unix_milliseconds(const ExporterSnapshot& snapshot) {
  const auto age = std::chrono::steady_clock::now() - snapshot.collected_at;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             (std::chrono::system_clock::now() - age).time_since_epoch())
      .count();
}

RemoteWriter::RemoteWriter(RemoteWriteOptions options, SnapshotPublisher& publisher)
    : options_(std::move(options)),
      publisher_(publisher),
      encoder_(options_.external_labels) {
  for (const RemoteWriteEndpoint& endpoint : options_.receivers) {
    auto client = std::make_shared<RemoteWriteClient>(endpoint);
    clients_.push_back(client);
    queues_.push_back(std::make_unique<RemoteWriteQueue>(
        endpoint.url, options_.queue_batches(), [client](const std::string& body) { return client->post(body); }));
  }
}

RemoteWriter::~RemoteWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& client : clients_) client->abort();
  queues_.clear();  // each stops its sender
}

void RemoteWriter::start() {
  for (auto& queue : queues_) queue->start();
  thread_ = std::thread([this] { run(); });
}

std::vector<RemoteWriteStatus> RemoteWriter::status() const {
  std::vector<RemoteWriteStatus> statuses;
  statuses.reserve(queues_.size());
  for (const auto& queue : queues_) statuses.push_back(queue->status());
  return statuses;
}

void RemoteWriter::run() {
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    push_once();
    // On a fixed schedule, so that a slow encode does not stretch the interval.
    next += options_.interval;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now;
    std::unique_lock lock(mutex_);
    if (stop_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

std::shared_ptr<const ExporterSnapshot> RemoteWriter::next_snapshot() {
  // The publisher's own collections serve while one comes within the interval: with collections
  // and pushes on the same interval, pushing never adds a collection. When none comes (a push
  // interval shorter than --collection.interval), a reader's collection is asked for, shared with
  // any scrape that asks at the same time.
  constexpr auto kPoll = std::chrono::milliseconds(50);
  const auto interval_seconds = std::chrono::duration<double>(options_.interval).count();
  const auto give_up = std::chrono::steady_clock::now() + options_.interval;
  for (;;) {
    std::shared_ptr<const ExporterSnapshot> snapshot = publisher_.latest();
    if (snapshot && snapshot != last_pushed_ && SnapshotPublisher::age_seconds(*snapshot) <= interval_seconds)
      return snapshot;
    if (std::chrono::steady_clock::now() >= give_up ||
        (snapshot && SnapshotPublisher::age_seconds(*snapshot) > interval_seconds))
      return publisher_.fresh();
    std::unique_lock lock(mutex_);
    if (stop_.wait_for(lock, kPoll, [this] { return stopping_; })) return nullptr;
  }
}

void RemoteWriter::push_once() {
  std::shared_ptr<const ExporterSnapshot> snapshot = next_snapshot();
  if (!snapshot || snapshot == last_pushed_) return;  // stopping, or no newer collection
  last_pushed_ = snapshot;

  const std::vector<RemoteWriteStatus> statuses = status();
  auto batch = std::make_shared<PushBatch>(
      encoder_.encode(*snapshot, {.scrapes = scrapes_(), .remote_write = &statuses},
                      collection_unix_milliseconds(*snapshot)));
  spdlog::debug("remote_write: {} samples ({} stale markers), {} bytes", batch->samples,
                encoder_.last_stale_markers(), batch->body.size());
  for (auto& queue : queues_) queue->enqueue(batch);
}

}  // namespace bpfproc
