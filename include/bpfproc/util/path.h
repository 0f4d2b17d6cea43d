#pragma once
// Paths as strings: taken apart without touching the filesystem, so that names from /proc, BPF
// events and argv[0] are handled alike.
#include <string_view>

namespace bpfproc {

// What follows the last '/': "/usr/bin/sleep" -> "sleep", "sleep" -> "sleep", "/usr/" -> "".
inline std::string_view base_name(std::string_view path) {
  const auto last_slash = path.rfind('/');
  return last_slash == std::string_view::npos ? path : path.substr(last_slash + 1);
}

}  // namespace bpfproc
