#include "bpfproc/util/path.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

TEST(Path, BaseNameIsWhatFollowsTheLastSlash) {
  EXPECT_EQ(base_name("/usr/bin/sleep"), "sleep");
  EXPECT_EQ(base_name("sleep"), "sleep");
  EXPECT_EQ(base_name("./bin/python3.11"), "python3.11");
  EXPECT_EQ(base_name("/usr/"), "");
  EXPECT_EQ(base_name(""), "");
}

// Go's filepath.Base, which process-exporter gives {{.ExeBase}} and exe: entries.
TEST(Path, GoBaseNameIsGosFilepathBase) {
  EXPECT_EQ(go_base_name("/usr/bin/sleep"), "sleep");
  EXPECT_EQ(go_base_name("sleep"), "sleep");
  EXPECT_EQ(go_base_name("/usr/bin/"), "bin");
  EXPECT_EQ(go_base_name("a//"), "a");
  EXPECT_EQ(go_base_name("/"), "/");
  EXPECT_EQ(go_base_name("///"), "/");
  EXPECT_EQ(go_base_name(""), ".");
  EXPECT_EQ(go_base_name("postgres: checkpointer"), "postgres: checkpointer");
}

}  // namespace
}  // namespace bpfproc
