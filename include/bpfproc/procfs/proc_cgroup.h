#pragma once
// Parser for /proc/PID/cgroup: one "hierarchy-ID:controllers:path" line per cgroup hierarchy.
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

// The path of each line, in the file's order (what process-exporter's {{.Cgroups}} lists). The
// path is everything after the second ':', colons included. An error for a line without two
// colons or with a hierarchy ID that is not a number, as procfs gives one.
Result<std::vector<std::string>> parse_proc_cgroup(std::string_view text);

}  // namespace bpfproc
