#pragma once
// Durations in Prometheus' syntax: "30s", "1m30s", "500ms", "2h".
#include <chrono>
#include <string_view>

#include "bpfproc/util/result.h"

namespace bpfproc {

Result<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace bpfproc
