#pragma once
// What a process's cgroup says about where it runs: its cgroup v2 path, the systemd unit, the
// container and the Kubernetes pod, as the templates {{.Cgroup}}, {{.Unit}}, {{.ContainerID}}
// and {{.PodUID}} render them. Derived from paths alone (no I/O), from the v2 line of
// /proc/PID/cgroup, and, on hybrid and v1-only hosts where v2 has nothing, from the v1 lines
// systemd and container runtimes keep (name=systemd, memory, cpu).
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/procfs/proc_cgroup.h"

namespace bpfproc {

struct CgroupFields {
  std::string path;          // the v2 path, "/system.slice/nginx.service"; empty when unknown
  std::string unit;          // the deepest systemd service or scope: "nginx.service"
  std::string container_id;  // the first 12 of the 64 hex digits docker, containerd, cri-o and podman use
  std::string pod_uid;       // "pod<uid>" of a kubepods path, as a dashed UUID
  bool unreadable = false;   // /proc/PID/cgroup could not be read or parsed: all empty
  bool operator==(const CgroupFields&) const = default;
};

// The fields one path shows; `path` is set to it.
CgroupFields cgroup_fields_of_path(std::string_view path);

// The fields of a /proc/PID/cgroup: path from the v2 line ("0::"); unit, container and pod from
// the v2 path, else from the first v1 line among name=systemd, memory and cpu that shows them.
CgroupFields cgroup_fields_of_lines(const std::vector<CgroupLine>& lines);

}  // namespace bpfproc
