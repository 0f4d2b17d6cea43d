#pragma once
// Parser for /proc/PID/mounts (fstab(5) format: "device mountpoint fstype options 0 0"), the
// table node_exporter's filesystem collector reads.
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct Mount {
  std::string device;       // as written (node_exporter does not unescape it either)
  std::string mount_point;  // unescaped: the kernel writes blank, tab, newline and '\' as \ooo
  std::string filesystem_type;
  std::string options;      // comma-separated, e.g. "rw,relatime"
  bool read_only() const;   // "ro" is one of the options
};

// The kernel's mangle() undone (mounts, mountinfo): \ and three octal digits stand for the
// characters that would break the columns.
std::string unescape_octal(std::string_view text);

// Every mount, in file order. An error names the first line with fewer than 4 words.
Result<std::vector<Mount>> parse_mounts(std::string_view text);

}  // namespace bpfproc
