#pragma once
// Prometheus label values must be valid UTF-8, but process names, paths and arguments are
// arbitrary bytes: one process named with invalid bytes must not invalidate a whole scrape.
#include <string>
#include <string_view>

namespace bpfproc {

// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view text);

}  // namespace bpfproc
