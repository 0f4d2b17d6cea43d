// The memory refresher's verdict on a pass: a procfs where no process can be read (a copy, a
// fixture tree, a wrong --path.procfs) is a failed pass with its errors counted, never an empty
// success.
#include "bpfproc/collectors/memory_refresher.h"

#include <gtest/gtest.h>

#include "bpfproc/grouping/config.h"

namespace bpfproc {
namespace {

CollectorStatus one_pass(const std::string& procfs_root) {
  ProcessTable table(default_config());
  std::mutex table_mutex;
  CollectorStats stats("memory");
  MemoryRefresher refresher(ProcFs(procfs_root), table, table_mutex, {}, stats);
  refresher.refresh_once();
  return stats.status();
}

TEST(MemoryRefresher, APassOverTheLiveProcfsSucceeds) {
  const CollectorStatus status = one_pass("/proc");
  EXPECT_EQ(status.count, 1u);
  EXPECT_TRUE(status.success);
  EXPECT_EQ(status.errors, 0u);
}

TEST(MemoryRefresher, APassOverAProcfsThatIsNotLiveFails) {
  const CollectorStatus status = one_pass(BPFPROC_FIXTURES_DIR "/proc");
  EXPECT_EQ(status.count, 1u);
  EXPECT_FALSE(status.success);
  EXPECT_GE(status.errors, 1u);
}

}  // namespace
}  // namespace bpfproc
