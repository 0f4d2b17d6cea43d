// The cgroup fields ({{.Cgroup}}, {{.Unit}}, {{.ContainerID}}, {{.PodUID}}) of /proc/PID/cgroup
// files from pure v2, hybrid and v1-only hosts (tests/fixtures/cgroup), the cgroup2 mount found in
// mountinfo, and the id -> path tree on a real directory tree.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "bpfproc/procfs/cgroup_fields.h"
#include "bpfproc/procfs/cgroup_tree.h"
#include "bpfproc/procfs/process_identity.h"
#include "bpfproc/util/whole_file.h"

namespace bpfproc {
namespace {

const std::string kFixtures = std::string(BPFPROC_FIXTURES_DIR);

CgroupFields fields_of_fixture(const std::string& name) {
  auto text = read_whole_file(kFixtures + "/cgroup/" + name);
  EXPECT_TRUE(text.ok()) << name;
  if (!text) return {};
  auto lines = parse_proc_cgroup_lines(*text);
  EXPECT_TRUE(lines.ok()) << name;
  return lines ? cgroup_fields_of_lines(*lines) : CgroupFields{};
}

TEST(CgroupFieldsTest, PureV2) {
  const CgroupFields service = fields_of_fixture("pure_v2_service");
  EXPECT_EQ(service.path, "/system.slice/nginx.service");
  EXPECT_EQ(service.unit, "nginx.service");
  EXPECT_EQ(service.container_id, "");
  EXPECT_EQ(service.pod_uid, "");

  const CgroupFields docker = fields_of_fixture("pure_v2_docker");
  EXPECT_EQ(docker.unit, "docker-3f6b0e0c9a1d4e2f8b7c6a5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f.scope");
  EXPECT_EQ(docker.container_id, "3f6b0e0c9a1d");

  const CgroupFields kubernetes = fields_of_fixture("pure_v2_kubernetes");
  EXPECT_EQ(kubernetes.container_id, "a1b2c3d4e5f6");
  EXPECT_EQ(kubernetes.pod_uid, "0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e") << "systemd driver: '_' back to '-'";
  EXPECT_EQ(kubernetes.unit, "cri-containerd-a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90.scope");

  // A process in a sub-cgroup of the container's scope: the deepest unit, the container's id.
  const CgroupFields podman = fields_of_fixture("pure_v2_podman");
  EXPECT_EQ(podman.path.substr(podman.path.size() - 10), "/container");
  EXPECT_EQ(podman.container_id, "3f6b0e0c9a1d");
  EXPECT_EQ(podman.unit.substr(0, 7), "libpod-");
}

TEST(CgroupFieldsTest, HybridTakesTheContainerFromV1WhereV2HasNone) {
  const CgroupFields docker = fields_of_fixture("hybrid_docker");
  EXPECT_EQ(docker.path, "/system.slice/containerd.service") << "the v2 line, whatever v1 says";
  EXPECT_EQ(docker.unit, "containerd.service") << "v2 has a unit: it wins";
  EXPECT_EQ(docker.container_id, "3f6b0e0c9a1d") << "from the v1 name=systemd line";

  const CgroupFields service = fields_of_fixture("hybrid_service");
  EXPECT_EQ(service.path, "/system.slice/nginx.service");
  EXPECT_EQ(service.unit, "nginx.service");
  EXPECT_EQ(service.container_id, "");
}

TEST(CgroupFieldsTest, V1OnlyHasNoPathButUnitsAndContainers) {
  const CgroupFields kubernetes = fields_of_fixture("v1_kubernetes");
  EXPECT_EQ(kubernetes.path, "") << "no v2 line";
  EXPECT_EQ(kubernetes.container_id, "a1b2c3d4e5f6");
  EXPECT_EQ(kubernetes.pod_uid, "0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e");
  EXPECT_EQ(kubernetes.unit, "");

  EXPECT_EQ(fields_of_fixture("v1_service").unit, "cron.service");

  // name=systemd shows the root: the memory line has the container.
  const CgroupFields crio = fields_of_fixture("v1_crio_memory_only");
  EXPECT_EQ(crio.container_id, "a1b2c3d4e5f6");
  EXPECT_EQ(crio.pod_uid, "0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e");
  EXPECT_EQ(crio.unit, "crio-a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90.scope");
}

TEST(CgroupFieldsTest, BadInput) {
  // 63 and 65 hex digits are no container id; uppercase is not what runtimes write.
  EXPECT_EQ(cgroup_fields_of_path("/docker/" + std::string(63, 'a')).container_id, "");
  EXPECT_EQ(cgroup_fields_of_path("/docker/" + std::string(65, 'a')).container_id, "");
  EXPECT_EQ(cgroup_fields_of_path("/docker/" + std::string(64, 'A')).container_id, "");
  // pod without kubepods, and a kubepods pod with a short UID.
  EXPECT_EQ(cgroup_fields_of_path("/pod0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e").pod_uid, "");
  EXPECT_EQ(cgroup_fields_of_path("/kubepods/pod0b1c2d3e").pod_uid, "");
  EXPECT_EQ(cgroup_fields_of_path("/"), (CgroupFields{"/", "", "", ""}));
  EXPECT_EQ(cgroup_fields_of_path(""), CgroupFields{});
  EXPECT_EQ(cgroup_fields_of_path("/x.service.d/y").unit, "");
  EXPECT_EQ(cgroup_fields_of_lines({}), CgroupFields{});
}

TEST(CgroupFieldsTest, ReadFromProcessIdentityWhenAskedFor) {
  Result<ProcessDir> dir = ProcessDir::open(ProcFs(kFixtures + "/proc"), 1000);
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  Result<ProcessIdentity> identity = read_process_identity(*dir, {.cgroup = true});
  ASSERT_TRUE(identity.ok()) << identity.error().message();
  EXPECT_EQ(identity->cgroup.path, "/system.slice/cron.service");
  EXPECT_EQ(identity->cgroup.unit, "cron.service");
  EXPECT_TRUE(identity->cgroups.empty()) << "{{.Cgroups}} not asked for";
  EXPECT_FALSE(identity->cgroup.unreadable);
  Result<ProcessIdentity> without = read_process_identity(*dir);
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->cgroup, CgroupFields{});
  // The fixture's 4242 has no cgroup file: empty fields, marked, and the process is still read.
  Result<ProcessDir> other = ProcessDir::open(ProcFs(kFixtures + "/proc"), 4242);
  ASSERT_TRUE(other.ok());
  Result<ProcessIdentity> unreadable = read_process_identity(*other, {.cgroup = true});
  ASSERT_TRUE(unreadable.ok()) << unreadable.error().message();
  EXPECT_TRUE(unreadable->cgroup.unreadable);
  EXPECT_EQ(unreadable->cgroup.path, "");
}

TEST(CgroupMountTest, FoundInMountinfoOnEachKindOfHost) {
  const std::string pure =
      "24 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
      "30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
  EXPECT_EQ(find_cgroup2_mount(pure), "/sys/fs/cgroup");
  const std::string hybrid =
      "30 24 0:26 / /sys/fs/cgroup ro,nosuid shared:4 - tmpfs tmpfs ro,mode=755\n"
      "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:5 - cgroup2 cgroup2 rw,nsdelegate\n"
      "32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid shared:6 - cgroup cgroup rw,xattr,name=systemd\n";
  EXPECT_EQ(find_cgroup2_mount(hybrid), "/sys/fs/cgroup/unified");
  const std::string v1_only = "32 30 0:28 / /sys/fs/cgroup/memory rw shared:6 - cgroup cgroup rw,memory\n";
  EXPECT_EQ(find_cgroup2_mount(v1_only), std::nullopt);
  // A bind mount of a sub-cgroup (a container's view) shows no whole tree; a blank is escaped.
  const std::string bound =
      "40 24 0:26 /system.slice /mnt/part rw - cgroup2 cgroup2 rw\n"
      "41 24 0:26 / /mnt/cg\\0402 rw - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(find_cgroup2_mount(bound), "/mnt/cg 2");
  EXPECT_EQ(find_cgroup2_mount("garbage\n\n1 2\n"), std::nullopt);
}

std::uint64_t inode_of(const std::filesystem::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_ino;
}

TEST(CgroupTreeTest, ResolvesIdsByInodeAndCountsMisses) {
  char pattern[] = "/tmp/bpfproc-cgroup-tree-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::filesystem::path root(pattern);
  std::filesystem::create_directories(root / "system.slice" / "a.service");
  CgroupTree tree(root.string());
  EXPECT_EQ(tree.path_of(inode_of(root)), "/");
  EXPECT_EQ(tree.path_of(inode_of(root / "system.slice" / "a.service")), "/system.slice/a.service");
  EXPECT_EQ(tree.walks(), 1u) << "the second id was cached by the first walk";

  // A cgroup made later: a miss walks again.
  std::filesystem::create_directories(root / "b.scope");
  const std::uint64_t later = inode_of(root / "b.scope");
  EXPECT_EQ(tree.path_of(later), "/b.scope");
  EXPECT_EQ(tree.walks(), 2u);

  // Removed: its path stays known for the late events of its processes.
  std::filesystem::remove(root / "b.scope");
  EXPECT_EQ(tree.path_of(later), "/b.scope");

  // Unknown: counted, and not walked for again.
  EXPECT_EQ(tree.path_of(1), std::nullopt);
  EXPECT_EQ(tree.path_of(1), std::nullopt);
  EXPECT_EQ(tree.unresolved(), 1u);
  EXPECT_EQ(tree.walks(), 3u);
  std::filesystem::remove_all(root);

  CgroupTree gone("/nonexistent/bpfproc-cgroup");
  EXPECT_EQ(gone.path_of(5), std::nullopt);
  EXPECT_EQ(gone.unresolved(), 1u);
}

}  // namespace
}  // namespace bpfproc
