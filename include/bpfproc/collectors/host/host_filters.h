#pragma once
// Which devices and mount points the host collectors leave out: node_exporter's filter flags
// (--collector.host.disk.device-exclude, ...), by default those of Debian's node_exporter 1.5.
// Each pattern is an RE2, matched anywhere in the name (anchor it with ^ and $); an empty one
// matches nothing.
#include <memory>
#include <string>

#include "bpfproc/util/result.h"

namespace re2 {
class RE2;
}

namespace bpfproc {

// A device is served when it matches `include` (if given) and does not match `exclude`.
struct DeviceFilter {
  std::string exclude;
  std::string include;
};

struct HostFilters {
  static constexpr const char* kDefaultMountPointsExclude =
      R"(^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/))";
  static constexpr const char* kDefaultFsTypesExclude =
      "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|"
      "overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";
  static constexpr const char* kDefaultDiskExclude = R"(^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$)";
  static constexpr const char* kDefaultNetworkExclude = "^lo$";

  std::string mount_points_exclude = kDefaultMountPointsExclude;  // host.filesystem
  std::string fs_types_exclude = kDefaultFsTypesExclude;          // host.filesystem
  DeviceFilter disk{kDefaultDiskExclude, ""};                     // host.disk
  DeviceFilter network{kDefaultNetworkExclude, ""};               // host.network
};

// Ok, or the first pattern that is not a regular expression, named by FLAG_PREFIX + its flag's
// suffix (".disk.device-exclude" ...), with RE2's reason.
[[nodiscard]] Status check_host_filters(const HostFilters& filters, const std::string& flag_prefix);

// One pattern, compiled once.
class NameFilter {
 public:
  explicit NameFilter(const std::string& pattern);
  ~NameFilter();
  bool matches(const std::string& name) const;  // false for an empty pattern

 private:
  std::unique_ptr<re2::RE2> pattern_;  // null for an empty pattern
};

class DeviceSelector {
 public:
  explicit DeviceSelector(const DeviceFilter& filter)
      : exclude_(filter.exclude), include_(filter.include), has_include_(!filter.include.empty()) {}
  bool selected(const std::string& name) const {
    return (!has_include_ || include_.matches(name)) && !exclude_.matches(name);
  }

 private:
  NameFilter exclude_;
  NameFilter include_;
  bool has_include_;
};

}  // namespace bpfproc
