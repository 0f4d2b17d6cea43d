#pragma once
// Parser for a file of /proc/pressure (cpu, io, memory): pressure stall information (PSI), lines
// "some|full avg10=.. avg60=.. avg300=.. total=MICROSECONDS" (kernel Documentation/accounting/psi.rst).
#include <cstdint>
#include <optional>
#include <string_view>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct PressureTotals {
  // Time in microseconds during which some, or all, non-idle tasks were stalled on the resource.
  // /proc/pressure/cpu has a "full" line only since Linux 5.13.
  std::optional<std::uint64_t> some_microseconds;
  std::optional<std::uint64_t> full_microseconds;
};

// `object` names the file in errors (e.g. "pressure/io"). An error for a line without total=,
// or for a file without a "some" line.
Result<PressureTotals> parse_pressure(std::string_view text, std::string_view object);

}  // namespace bpfproc
