// The host collectors' filter patterns: checked once at start-up, compiled once per collector.
#include "bpfproc/collectors/host/host_filters.h"

#include <re2/re2.h>

#include <utility>
#include <vector>

namespace bpfproc {

Status check_host_filters(const HostFilters& filters, const std::string& flag_prefix) {
  const std::vector<std::pair<const char*, const std::string*>> patterns{
      {".filesystem.mount-points-exclude", &filters.mount_points_exclude},
      {".filesystem.fs-types-exclude", &filters.fs_types_exclude},
      {".disk.device-exclude", &filters.disk.exclude},
      {".disk.device-include", &filters.disk.include},
      {".network.device-exclude", &filters.network.exclude},
      {".network.device-include", &filters.network.include}};
  for (const auto& [suffix, pattern] : patterns) {
    const RE2 compiled(*pattern, RE2::Quiet);
    if (!compiled.ok())
      return Error{flag_prefix + suffix + " '" + *pattern + "': not a regular expression: " + compiled.error(), ""};
  }
  return Ok{};
}

NameFilter::NameFilter(const std::string& pattern)
    : pattern_(pattern.empty() ? nullptr : std::make_unique<RE2>(pattern, RE2::Quiet)) {}

NameFilter::~NameFilter() = default;

bool NameFilter::matches(const std::string& name) const {
  return pattern_ != nullptr && RE2::PartialMatch(name, *pattern_);
}

}  // namespace bpfproc
