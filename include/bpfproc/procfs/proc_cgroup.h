#pragma once
// Parser for /proc/PID/cgroup: one "hierarchy-ID:controllers:path" line per cgroup hierarchy.
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct CgroupLine {
  int hierarchy = 0;        // 0 for the v2 (unified) hierarchy
  std::string controllers;  // "cpu,cpuacct", "name=systemd"; empty for v2
  std::string path;         // "/system.slice/nginx.service"
};

// Every line, in the file's order. The path is everything after the second ':', colons
// included. An error for a line without two colons or with a hierarchy ID that is not a number.
Result<std::vector<CgroupLine>> parse_proc_cgroup_lines(std::string_view text);

// The path of each line, in the file's order (what process-exporter's {{.Cgroups}} lists).
Result<std::vector<std::string>> parse_proc_cgroup(std::string_view text);

}  // namespace bpfproc
