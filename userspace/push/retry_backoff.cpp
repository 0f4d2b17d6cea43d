#include "bpfproc/push/retry_backoff.h"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <string>

namespace bpfproc {

bool retryable_status(long status) { return status == 0 || status == 429 || (status >= 500 && status <= 599); }

std::chrono::milliseconds backoff_delay(const BackoffOptions& options, std::uint32_t attempt, double uniform01) {
  // 2^20 times the initial wait is far beyond any maximum; the cap keeps the shift defined.
  const std::uint32_t doublings = std::min<std::uint32_t>(attempt == 0 ? 0 : attempt - 1, 20);
  const auto ceiling = std::min(options.maximum, options.initial * (std::int64_t{1} << doublings));
  const double fraction = std::clamp(uniform01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(fraction * static_cast<double>(ceiling.count())));
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, std::int64_t now_unix_seconds) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r' || value.back() == '\n')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  std::int64_t seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc{} && end == value.data() + value.size())
    return seconds < 0 ? std::nullopt : std::optional(std::chrono::milliseconds(seconds * 1000));
  // IMF-fixdate, the form RFC 9110 requires senders to use: "Sun, 06 Nov 1994 08:49:37 GMT".
  const std::string text(value);
  tm parts{};
  const char* parsed = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (parsed == nullptr || *parsed != '\0') return std::nullopt;
  const std::int64_t at = timegm(&parts);
  return std::chrono::milliseconds(std::max<std::int64_t>(0, at - now_unix_seconds) * 1000);
}

}  // namespace bpfproc
