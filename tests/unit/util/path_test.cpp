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

}  // namespace
}  // namespace bpfproc
