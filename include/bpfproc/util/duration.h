#pragma once
// Durations in Prometheus' syntax: "30s", "1m30s", "500ms", "2h".
#include <chrono>
#include <string_view>

#include "bpfproc/util/result.h"

namespace bpfproc {

Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// The value of a duration flag; the error names the flag, e.g. "--memory.interval 0s: must be
// positive". With `positive`, zero is refused too.
Result<std::chrono::milliseconds> parse_duration_flag(std::string_view flag, std::string_view text, bool positive);

}  // namespace bpfproc
