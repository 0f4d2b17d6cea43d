// The host identity's fallback order, on a fixture root: product_uuid, machine-id, boot id, hostname.
#include "bpfproc/push/host_identity.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

class HostIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/bpfproc-host-identity-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void write(const std::string& path, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(root_ + path).parent_path());
    std::ofstream(root_ + path) << content;
  }
  void remove(const std::string& path) { std::filesystem::remove(root_ + path); }

  std::string root_;
};

TEST_F(HostIdentityTest, FallsBackInOrder) {
  write("/sys/class/dmi/id/product_uuid", "4c4c4544-0042-3510-8058-b4c04f4a4a32\n");
  write("/etc/machine-id", "0f3b6d2c9a8e4b51b0c7d6e5f4a3b2c1\n");
  write("/proc/sys/kernel/random/boot_id", "9d2f1e4a-7b6c-4d3e-8f90-a1b2c3d4e5f6\n");

  HostIdentity identity = host_identity(root_, "build-17");
  EXPECT_EQ(identity.value, "4c4c4544-0042-3510-8058-b4c04f4a4a32");
  EXPECT_EQ(identity.source, "/sys/class/dmi/id/product_uuid");

  remove("/sys/class/dmi/id/product_uuid");  // as for a user without root: unreadable
  identity = host_identity(root_, "build-17");
  EXPECT_EQ(identity.value, "0f3b6d2c9a8e4b51b0c7d6e5f4a3b2c1");
  EXPECT_EQ(identity.source, "/etc/machine-id");

  write("/etc/machine-id", "");  // an image not yet booted has an empty machine-id
  identity = host_identity(root_, "build-17");
  EXPECT_EQ(identity.value, "9d2f1e4a-7b6c-4d3e-8f90-a1b2c3d4e5f6");

  remove("/proc/sys/kernel/random/boot_id");
  identity = host_identity(root_, "build-17");
  EXPECT_EQ(identity.value, "build-17");
  EXPECT_EQ(identity.source, "hostname");
}

TEST_F(HostIdentityTest, SkipsPlaceholderFirmwareUuids) {
  write("/sys/class/dmi/id/product_uuid", "00000000-0000-0000-0000-000000000000\n");
  write("/etc/machine-id", "0f3b6d2c9a8e4b51b0c7d6e5f4a3b2c1\n");
  EXPECT_EQ(host_identity(root_, "h").value, "0f3b6d2c9a8e4b51b0c7d6e5f4a3b2c1");
  write("/sys/class/dmi/id/product_uuid", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\n");
  EXPECT_EQ(host_identity(root_, "h").value, "0f3b6d2c9a8e4b51b0c7d6e5f4a3b2c1");
}

}  // namespace
}  // namespace bpfproc
