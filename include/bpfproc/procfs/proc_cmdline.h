#pragma once
// Parser for /proc/PID/cmdline: arguments separated (and usually terminated) by NUL.
#include <string>
#include <string_view>
#include <vector>

namespace bpfproc {

// Empty for kernel threads and zombies. A trailing NUL does not make an empty last argument.
std::vector<std::string> parse_cmdline(std::string_view text);

// Arguments joined by single spaces, the form cmdline regexes match against (as process-exporter).
std::string join_cmdline(const std::vector<std::string>& argv);

}  // namespace bpfproc
