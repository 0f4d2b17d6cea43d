#include "bpfproc/util/duration.h"

#include <charconv>
#include <string>

namespace bpfproc {

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const Error invalid{"invalid duration (expected e.g. 30s, 1m30s, 500ms)", std::string(text)};
  if (text.empty()) return invalid;
  std::chrono::milliseconds total{0};
  while (!text.empty()) {
    long long amount = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
    if (error != std::errc() || end == text.data()) return invalid;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    // Longest unit first, so "ms" is not read as "m".
    static constexpr std::pair<std::string_view, long long> kUnits[] = {
        {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
    bool matched = false;
    for (const auto& [unit, milliseconds] : kUnits) {
      if (text.substr(0, unit.size()) == unit) {
        total += std::chrono::milliseconds(amount * milliseconds);
        text.remove_prefix(unit.size());
        matched = true;
        break;
      }
    }
    if (!matched) return invalid;
  }
  return total;
}

Result<std::chrono::milliseconds> parse_duration_flag(std::string_view flag, std::string_view text, bool positive) {
  const std::string object = std::string(flag) + " " + std::string(text);
  auto parsed = parse_duration(text);
  if (!parsed) return Error{parsed.error().what, object};
  if (positive && parsed->count() <= 0) return Error{"must be positive", object};
  return *parsed;
}

}  // namespace bpfproc
