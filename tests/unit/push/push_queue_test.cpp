// The bounded queue: oldest batches dropped first and counted, order kept.
#include "bpfproc/push/push_queue.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

std::shared_ptr<const PushBatch> batch(std::size_t samples) {
  return std::make_shared<PushBatch>(PushBatch{std::to_string(samples), samples});
}

TEST(PushQueue, DropsTheOldestWhenFullAndCountsTheirSamples) {
  PushQueue queue(3);
  EXPECT_EQ(queue.push(batch(1)), 0u);
  EXPECT_EQ(queue.push(batch(2)), 0u);
  EXPECT_EQ(queue.push(batch(3)), 0u);
  EXPECT_EQ(queue.push(batch(4)), 1u);
  EXPECT_EQ(queue.push(batch(5)), 2u);
  EXPECT_EQ(queue.batches(), 3u);
  EXPECT_EQ(queue.samples(), 3u + 4 + 5);
  EXPECT_EQ(queue.samples_dropped(), 3u);
  for (const std::size_t expected : {3u, 4u, 5u}) {
    auto front = queue.front(std::chrono::milliseconds(0));
    ASSERT_TRUE(front);
    EXPECT_EQ(front->samples, expected);
    queue.pop(front);
  }
  EXPECT_EQ(queue.samples(), 0u);
  EXPECT_FALSE(queue.front(std::chrono::milliseconds(0)));
}

TEST(PushQueue, PopIgnoresABatchThatWasAlreadyDropped) {
  PushQueue queue(1);
  queue.push(batch(1));
  auto sending = queue.front(std::chrono::milliseconds(0));
  queue.push(batch(2));  // drops the batch under way
  queue.pop(sending);
  ASSERT_TRUE(queue.front(std::chrono::milliseconds(0)));
  EXPECT_EQ(queue.front(std::chrono::milliseconds(0))->samples, 2u);
}

TEST(PushQueue, CloseWakesAWaitingSender) {
  PushQueue queue(2);
  queue.close();
  EXPECT_FALSE(queue.front(std::chrono::seconds(10)));
}

}  // namespace
}  // namespace bpfproc
