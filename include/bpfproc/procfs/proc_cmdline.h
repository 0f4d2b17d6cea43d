#pragma once
// Parser for /proc/PID/cmdline: arguments separated (and usually terminated) by NUL.
#include <string>
#include <string_view>
#include <vector>

namespace bpfproc {

// Empty for kernel threads and zombies (an empty file). Trailing NULs make no empty arguments;
// other empty arguments are kept (process-exporter's reading).
std::vector<std::string> parse_cmdline(std::string_view text);

// Arguments joined by single spaces, the form cmdline regexes match against (as process-exporter).
std::string join_cmdline(const std::vector<std::string>& argv);

}  // namespace bpfproc
