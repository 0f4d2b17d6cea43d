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

// Go's filepath.Base, which process-exporter applies to argv[0]: trailing slashes are dropped
// first ("/usr/bin/" -> "bin"), an empty path is "." and a path of slashes only is "/".
inline std::string_view go_base_name(std::string_view path) {
  if (path.empty()) return ".";
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return "/";
  return base_name(path);
}

}  // namespace bpfproc
