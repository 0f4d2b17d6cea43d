// host.filesystem: size and free space per mounted filesystem, node_exporter's
// node_filesystem_*{device,fstype,mountpoint}: the mount table of /proc/1/mounts (the host's,
// also when bpfproc runs in a container with the host's pid namespace; /proc/self/mounts if
// unreadable), without the filesystem types and mount points of
// --collector.host.filesystem.{fs-types,mount-points}-exclude (by default, as Debian's
// node_exporter, pseudo filesystems, /dev, /proc, /run, /sys ...), each measured with statfs(2) under --path.rootfs, within a timeout (mount_probe.h).
#include <unistd.h>

#include <cstring>
#include <set>
#include <tuple>

#include <spdlog/spdlog.h>

#include "bpfproc/collectors/collector.h"
#include "bpfproc/collectors/host/host_source.h"
#include "bpfproc/collectors/host/mount_probe.h"
#include "bpfproc/procfs/mounts.h"

namespace bpfproc {
namespace {

class HostFilesystemCollector : public HostSourceCollector {
 public:
  explicit HostFilesystemCollector(const CollectorOptions& options)
      : HostSourceCollector(options, "host.filesystem"),
        rootfs_(options.rootfs_root == "/" ? "" : options.rootfs_root),
        excluded_mount_points_(options.host_filters.mount_points_exclude),
        excluded_types_(options.host_filters.fs_types_exclude),
        probe_(options.filesystem_mount_timeout) {}

  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    std::uint64_t errors = 0;
    // pid 1's table is the host's, also in a container sharing the host's pid namespace.
    const bool host_table = ::access((procfs_.root() + "/1/mounts").c_str(), R_OK) == 0;
    auto mounts = read(host_table ? "1/mounts" : "self/mounts", parse_mounts, errors);
    if (!mounts) return errors;
    succeeded();
    using Type = HostFamily::Type;
    HostFamily device_error = host_family("node_filesystem_device_error", "Whether statfs(2) of the mount point failed.",
                                          Type::kGauge);
    HostFamily size_bytes = host_family("node_filesystem_size_bytes", "Size of the filesystem in bytes.", Type::kGauge);
    HostFamily free_bytes = host_family("node_filesystem_free_bytes", "Free bytes of the filesystem.", Type::kGauge);
    HostFamily avail_bytes = host_family("node_filesystem_avail_bytes",
                                  "Free bytes of the filesystem that unprivileged users may use.", Type::kGauge);
    HostFamily files = host_family("node_filesystem_files", "Inodes of the filesystem.", Type::kGauge);
    HostFamily files_free = host_family("node_filesystem_files_free", "Free inodes of the filesystem.", Type::kGauge);
    HostFamily readonly = host_family("node_filesystem_readonly", "Whether the filesystem is mounted read-only.",
                                     Type::kGauge);
    std::set<std::tuple<std::string, std::string, std::string>> seen;  // a mount point mounted over twice
    for (const Mount& mount : *mounts) {
      const std::string mount_point = label_of(mount.mount_point);
      if (excluded_mount_points_.matches(mount_point) || excluded_types_.matches(mount.filesystem_type))
        continue;
      if (!seen.emplace(mount.device, mount_point, mount.filesystem_type).second) continue;
      const std::vector<std::pair<std::string, std::string>> labels{
          {"device", mount.device}, {"fstype", mount.filesystem_type}, {"mountpoint", mount_point}};
      const MountProbe::Outcome outcome = probe_.probe(rootfs_ + mount_point);
      const bool measured = outcome.kind == MountProbe::Outcome::Kind::kMeasured;
      device_error.samples.push_back({labels, measured ? 0.0 : 1.0});
      // An unreachable network filesystem or a vanished mount is not an error of the collection
      // (a hung one is logged by the probe).
      if (!measured) {
        if (outcome.kind == MountProbe::Outcome::Kind::kFailed)
          spdlog::debug("collector host.filesystem: statfs {}: {}", rootfs_ + mount_point, std::strerror(outcome.error));
        continue;
      }
      const struct statfs& stats = outcome.stats;
      const double block = static_cast<double>(stats.f_bsize);
      size_bytes.samples.push_back({labels, static_cast<double>(stats.f_blocks) * block});
      free_bytes.samples.push_back({labels, static_cast<double>(stats.f_bfree) * block});
      avail_bytes.samples.push_back({labels, static_cast<double>(stats.f_bavail) * block});
      files.samples.push_back({labels, static_cast<double>(stats.f_files)});
      files_free.samples.push_back({labels, static_cast<double>(stats.f_ffree)});
      readonly.samples.push_back({labels, mount.read_only() ? 1.0 : 0.0});
    }
    add_host_families(snapshot, {std::move(device_error), std::move(size_bytes), std::move(free_bytes), std::move(avail_bytes),
                                 std::move(files), std::move(files_free), std::move(readonly)});
    return 0;
  }

 private:
  // With --path.rootfs, a table that shows the host's mounts under it names them without it.
  std::string label_of(const std::string& mount_point) const {
    if (rootfs_.empty() || mount_point.compare(0, rootfs_.size(), rootfs_) != 0) return mount_point;
    const std::string stripped = mount_point.substr(rootfs_.size());
    return stripped.empty() ? "/" : stripped;
  }

  std::string rootfs_;  // empty for "/"
  NameFilter excluded_mount_points_;
  NameFilter excluded_types_;
  MountProbe probe_;
};

}  // namespace

CollectorDefinition host_filesystem_collector() {
  return host_collector_definition<HostFilesystemCollector>(
      "host.filesystem",
      "Host filesystem size and free space per mount point, pseudo filesystems left out, node_exporter's "
      "node_filesystem_*");
}

}  // namespace bpfproc
