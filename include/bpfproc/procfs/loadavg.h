#pragma once
// Parser for /proc/loadavg ("0.52 0.58 0.59 1/467 12345"; proc(5)).
#include <string_view>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct LoadAverage {
  double one = 0, five = 0, fifteen = 0;  // over 1, 5 and 15 minutes
};

Result<LoadAverage> parse_loadavg(std::string_view text);

}  // namespace bpfproc
