// `bpfproc check`'s report of the cgroup fields a host can give: pure v2, hybrid, v1 only.
#include "bpfproc/kernel/check.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

constexpr const char* kV2Mount = "30 24 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw\n";
constexpr const char* kHybridMount = "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:5 - cgroup2 cgroup2 rw\n";
constexpr const char* kV1Mount = "32 30 0:28 / /sys/fs/cgroup/memory rw shared:6 - cgroup cgroup rw,memory\n";

TEST(CheckCgroupFields, SaysWhichFieldsEachKindOfHostGives) {
  const Requirement pure = cgroup_fields(kV2Mount, "0::/user.slice/session-2.scope\n");
  EXPECT_TRUE(pure.ok);
  EXPECT_EQ(pure.detail, "all: pure cgroup v2 at /sys/fs/cgroup");

  const Requirement hybrid = cgroup_fields(kHybridMount, "4:memory:/user.slice\n1:name=systemd:/x\n0::/x\n");
  EXPECT_TRUE(hybrid.ok);
  EXPECT_NE(hybrid.detail.find("hybrid host, cgroup v2 at /sys/fs/cgroup/unified"), std::string::npos) << hybrid.detail;

  const Requirement v1 = cgroup_fields(kV1Mount, "4:memory:/user.slice\n1:name=systemd:/x\n");
  EXPECT_TRUE(v1.ok) << "never a missing requirement: the fields are empty instead";
  EXPECT_NE(v1.detail.find("no cgroup2 mount, so Cgroup is empty"), std::string::npos) << v1.detail;

  // Unreadable files: as a v1-only host.
  EXPECT_NE(cgroup_fields("", "").detail.find("no cgroup2 mount"), std::string::npos);
}

}  // namespace
}  // namespace bpfproc
