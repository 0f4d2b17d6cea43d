#pragma once
// The cgroup v2 tree, for turning the cgroup ids the kernel's events carry into paths. A v2
// cgroup's id (cgroup_id(), kernfs node id) is the inode number of its directory on a cgroup2
// mount, so a walk of the mount maps every id to its path. Ids are cached; a miss walks the tree
// again, since new cgroups appear all the time, but an id that a walk did not find is not walked
// for again (its cgroup is gone, or it was never on this mount).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace bpfproc {

// The mount point of the cgroup2 filesystem that shows the whole hierarchy (root "/") in
// /proc/self/mountinfo; nullopt when none is mounted (a v1-only host). Hosts differ: pure v2 at
// /sys/fs/cgroup, hybrid at /sys/fs/cgroup/unified, or elsewhere.
std::optional<std::string> find_cgroup2_mount(std::string_view mountinfo);

class CgroupTree {
 public:
  explicit CgroupTree(std::string mount_point) : mount_point_(std::move(mount_point)) {}

  // The path of the cgroup ("/" for the root, "/system.slice/x.service"), or nullopt.
  std::optional<std::string> path_of(std::uint64_t id);

  const std::string& mount_point() const { return mount_point_; }
  std::uint64_t walks() const { return walks_; }
  // Ids no walk found, each counted once per walk that missed it.
  std::uint64_t unresolved() const { return unresolved_; }

 private:
  void walk();

  std::string mount_point_;
  std::unordered_map<std::uint64_t, std::string> paths_;
  std::unordered_set<std::uint64_t> missing_;  // ids the last walks did not find
  std::uint64_t walks_ = 0;
  std::uint64_t unresolved_ = 0;
};

}  // namespace bpfproc
