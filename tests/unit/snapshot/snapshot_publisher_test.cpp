// SnapshotPublisher: readers share collections, and a stuck collection does not hold them.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "bpfproc/snapshot/snapshot_publisher.h"

namespace bpfproc {
namespace {

using std::chrono::milliseconds;

// A collect function whose runs can be held until the test lets them finish.
class Gate {
 public:
  std::shared_ptr<ExporterSnapshot> collect() {
    std::unique_lock lock(mutex_);
    ++started_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    return std::make_shared<ExporterSnapshot>();
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void wait_started(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return started_ >= count; });
  }
  int started() {
    std::lock_guard lock(mutex_);
    return started_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = true;
  int started_ = 0;
};

TEST(SnapshotPublisher, ConcurrentReadersOfAStaleSnapshotShareOneCollection) {
  Gate gate;
  PublisherOptions options;
  options.max_age = milliseconds(50);
  options.interval = std::chrono::hours(1);
  options.reader_wait = std::chrono::hours(1);  // this test is about sharing, not waiting
  SnapshotPublisher publisher([&] { return gate.collect(); }, options);
  ASSERT_EQ(publisher.publish_now()->generation, 1u);
  publisher.start();
  std::this_thread::sleep_for(milliseconds(60));  // the first snapshot is now stale

  // Hold the collection the first reader asks for until all 20 readers are waiting on it.
  gate.close();
  constexpr int kReaders = 20;
  std::atomic<int> entered{0};
  std::vector<std::uint64_t> generations(kReaders);
  std::vector<std::thread> readers;
  for (int index = 0; index < kReaders; ++index) {
    readers.emplace_back([&, index] {
      ++entered;
      generations[index] = publisher.fresh()->generation;
    });
  }
  gate.wait_started(2);
  while (entered < kReaders) std::this_thread::yield();
  std::this_thread::sleep_for(milliseconds(20));  // the last ones reach their wait
  gate.open();
  for (std::thread& reader : readers) reader.join();

  EXPECT_EQ(gate.started(), 2) << "the first collection and one shared by all readers";
  EXPECT_EQ(publisher.collections(), 2u);
  for (std::uint64_t generation : generations) EXPECT_EQ(generation, 2u);
}

TEST(SnapshotPublisher, AFreshSnapshotIsServedWithoutACollection) {
  Gate gate;
  PublisherOptions options;
  options.max_age = std::chrono::hours(1);
  options.interval = std::chrono::hours(1);
  SnapshotPublisher publisher([&] { return gate.collect(); }, options);
  publisher.publish_now();
  publisher.start();
  for (int scrape = 0; scrape < 20; ++scrape) EXPECT_EQ(publisher.fresh()->generation, 1u);
  EXPECT_EQ(gate.started(), 1);
}

TEST(SnapshotPublisher, AStuckCollectionDoesNotHoldReaders) {
  Gate gate;
  PublisherOptions options;
  options.max_age = milliseconds(0);
  options.interval = std::chrono::hours(1);
  options.reader_wait = milliseconds(100);
  SnapshotPublisher publisher([&] { return gate.collect(); }, options);
  publisher.publish_now();
  publisher.start();

  // The next collection blocks, as one reading a /proc file whose owner holds its mmap lock.
  gate.close();
  auto snapshot = publisher.fresh();
  gate.wait_started(2);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->generation, 1u) << "the reader got the latest snapshot while the collection was stuck";
  EXPECT_EQ(publisher.fresh()->generation, 1u) << "so does the next reader";
  EXPECT_EQ(gate.started(), 2) << "readers wait for the collection under way; they do not start more";

  gate.open();
  EXPECT_GE(publisher.collect_and_wait()->generation, 2u);
}

TEST(SnapshotPublisher, CollectsOnTheTimerWithoutReaders) {
  Gate gate;
  PublisherOptions options;
  options.interval = milliseconds(10);
  SnapshotPublisher publisher([&] { return gate.collect(); }, options);
  publisher.publish_now();
  publisher.start();
  gate.wait_started(4);  // hangs (and the test times out) if the timer never fires
  EXPECT_GE(publisher.latest()->generation, 3u);
}

TEST(SnapshotPublisher, CollectAndWaitReturnsACollectionThatStartedAfterTheCall) {
  Gate gate;
  PublisherOptions options;
  options.interval = std::chrono::hours(1);
  options.max_age = std::chrono::hours(1);
  SnapshotPublisher publisher([&] { return gate.collect(); }, options);
  publisher.publish_now();
  publisher.start();
  EXPECT_EQ(publisher.collect_and_wait()->generation, 2u);
  EXPECT_EQ(publisher.collect_and_wait()->generation, 3u);
}

}  // namespace
}  // namespace bpfproc
