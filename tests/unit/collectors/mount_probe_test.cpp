// MountProbe: statfs within a timeout; a hung call leaves its mount point stuck until it returns,
// and never stops the other mount points from being measured.
#include "bpfproc/collectors/host/mount_probe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>

namespace bpfproc {
namespace {

using Kind = MountProbe::Outcome::Kind;

// A statfs whose calls on `hung_path` block until release(); other paths are the real statfs.
struct HangingStatfs {
  std::string hung_path;
  std::mutex mutex;
  std::condition_variable released_changed;
  bool released = false;
  std::atomic<int> hung_calls{0};

  int call(const std::string& path, struct statfs& stats) {
    if (path != hung_path) return MountProbe::system_statfs(path, stats);
    ++hung_calls;
    std::unique_lock lock(mutex);
    released_changed.wait(lock, [&] { return released; });
    return MountProbe::system_statfs("/", stats);
  }
  void release() {
    std::lock_guard lock(mutex);
    released = true;
    released_changed.notify_all();
  }
};

// Long enough that a call which returns at once is never taken for a hung one on a loaded host.
constexpr std::chrono::milliseconds kTimeout{1000};

TEST(MountProbe, MeasuresAMountPointAndReportsTheErrnoOfOneThatIsGone) {
  MountProbe probe(kTimeout);
  const MountProbe::Outcome root = probe.probe("/");
  ASSERT_EQ(root.kind, Kind::kMeasured);
  EXPECT_GT(root.stats.f_blocks, 0u);
  const MountProbe::Outcome gone = probe.probe("/nonexistent-mount-point");
  EXPECT_EQ(gone.kind, Kind::kFailed);
  EXPECT_EQ(gone.error, ENOENT);
  EXPECT_EQ(probe.stuck(), 0u);
}

TEST(MountProbe, AHungMountPointIsLeftAloneUntilItsCallReturnsWhileOthersAreMeasured) {
  auto statfs = std::make_shared<HangingStatfs>();
  statfs->hung_path = "/hung";
  MountProbe probe(kTimeout, [statfs](const std::string& path, struct statfs& stats) { return statfs->call(path, stats); });

  EXPECT_EQ(probe.probe("/hung").kind, Kind::kTimedOut);
  EXPECT_EQ(probe.stuck(), 1u);
  // Later collections skip it: no second thread piles up behind the first.
  EXPECT_EQ(probe.probe("/hung").kind, Kind::kStuck);
  EXPECT_EQ(statfs->hung_calls.load(), 1);
  // The worker stuck in the call was replaced: other mount points are still measured.
  EXPECT_EQ(probe.probe("/").kind, Kind::kMeasured);

  statfs->release();
  for (int wait = 0; wait < 100 && probe.stuck() != 0; ++wait) usleep(50'000);
  ASSERT_EQ(probe.stuck(), 0u) << "the hung call returned 5 s ago";
  statfs->hung_path.clear();  // the mount came back
  EXPECT_EQ(probe.probe("/hung").kind, Kind::kFailed) << "probed again, and it is not a real path";
}

TEST(MountProbe, AProbeMayGoWhileItsCallStillHangs) {
  auto statfs = std::make_shared<HangingStatfs>();
  statfs->hung_path = "/hung";
  {
    MountProbe probe(kTimeout, [statfs](const std::string& path, struct statfs& stats) { return statfs->call(path, stats); });
    EXPECT_EQ(probe.probe("/hung").kind, Kind::kTimedOut);
  }
  // The left-behind thread returns after the probe is gone, touching only what it shares.
  statfs->release();
  for (int wait = 0; wait < 100 && statfs.use_count() > 1; ++wait) usleep(50'000);
  EXPECT_EQ(statfs.use_count(), 1) << "the thread held the statfs function after its call returned";
}

}  // namespace
}  // namespace bpfproc
