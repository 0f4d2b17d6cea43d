#pragma once
// Prometheus label values must be valid UTF-8, but process names, paths and arguments are
// arbitrary bytes: one process named with invalid bytes must not invalidate a whole scrape.
#include <cstddef>
#include <string>
#include <string_view>

namespace bpfproc {

// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view text);

// Cuts valid UTF-8 `text` to at most max_bytes without splitting a character; true if it cut.
bool truncate_utf8(std::string& text, std::size_t max_bytes);

}  // namespace bpfproc
