// Telling a live procfs from a tree that only looks like one.
#include "bpfproc/procfs/procfs.h"

#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

TEST(ProcFs, TheKernelsProcfsShowsItsReader) { EXPECT_TRUE(ProcFs("/proc").shows_reader()); }

TEST(ProcFs, AFixtureTreeOrAnEmptyDirectoryDoesNot) {
  EXPECT_FALSE(ProcFs(BPFPROC_FIXTURES_DIR "/proc").shows_reader()) << "its self/ is a directory, not a link";
  char empty[] = "/tmp/bpfproc-procfs-test.XXXXXX";
  ASSERT_NE(mkdtemp(empty), nullptr);
  EXPECT_FALSE(ProcFs(empty).shows_reader());
  // self links to a pid that has no directory here.
  ASSERT_EQ(symlink(std::to_string(getpid()).c_str(), (std::string(empty) + "/self").c_str()), 0);
  EXPECT_FALSE(ProcFs(empty).shows_reader());
  unlink((std::string(empty) + "/self").c_str());
  rmdir(empty);
}

}  // namespace
}  // namespace bpfproc
