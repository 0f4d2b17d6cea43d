#include "bpfproc/procfs/cgroup_tree.h"

#include <sys/stat.h>

#include <filesystem>
#include <vector>

#include "bpfproc/procfs/mounts.h"
#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {
namespace {

// Ids remembered as missing, at most: a host that removes cgroups all the time (transient
// scopes) must not grow this without bound. Beyond it the set starts again, at the cost of
// a walk per id forgotten.
constexpr std::size_t kMissingRemembered = 4096;
// Paths of removed cgroups kept across walks, at most: events of their last processes may still
// come, but a host that makes a cgroup per job must not grow the cache without bound.
constexpr std::size_t kPathsRemembered = 65536;

}  // namespace

std::optional<std::string> find_cgroup2_mount(std::string_view mountinfo) {
  // "36 25 0:30 / /sys/fs/cgroup/unified rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate":
  // the root within the filesystem, the mount point, optional fields up to "-", the type.
  std::optional<std::string> found;
  for_each_line(mountinfo, [&](std::string_view line) {
    const std::vector<std::string_view> words = split_words(line);
    std::size_t separator = 6;
    while (separator < words.size() && words[separator] != "-") ++separator;
    if (found || separator + 1 >= words.size()) return;
    if (words[separator + 1] == "cgroup2" && words[3] == "/") found = unescape_octal(words[4]);
  });
  return found;
}

std::optional<std::string> CgroupTree::path_of(std::uint64_t id) {
  if (auto found = paths_.find(id); found != paths_.end()) return found->second;
  if (missing_.contains(id)) return std::nullopt;
  walk();
  if (auto found = paths_.find(id); found != paths_.end()) return found->second;
  ++unresolved_;
  if (missing_.size() >= kMissingRemembered) missing_.clear();
  missing_.insert(id);
  return std::nullopt;
}

void CgroupTree::walk() {
  ++walks_;
  missing_.clear();
  std::unordered_map<std::uint64_t, std::string> removed;
  if (paths_.size() < kPathsRemembered) removed = std::move(paths_);
  paths_.clear();
  namespace fs = std::filesystem;
  struct stat status {};
  if (::stat(mount_point_.c_str(), &status) != 0) return;
  paths_[status.st_ino] = "/";
  std::error_code error;
  fs::recursive_directory_iterator entries(mount_point_, fs::directory_options::skip_permission_denied, error);
  for (; !error && entries != fs::recursive_directory_iterator(); entries.increment(error)) {
    if (!entries->is_directory(error) || entries->is_symlink(error)) {
      error.clear();
      continue;
    }
    if (::lstat(entries->path().c_str(), &status) != 0) continue;  // removed while walking
    paths_[status.st_ino] = "/" + entries->path().lexically_relative(mount_point_).string();
  }
  paths_.merge(removed);  // kernfs ids are not reused (64-bit, with a generation): no clash
}

}  // namespace bpfproc
