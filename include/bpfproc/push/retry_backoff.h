#pragma once
// When to try a batch again after a receiver failed it: exponential backoff with full jitter, so
// that hosts that lost the same receiver do not come back in step, and the receiver's own
// Retry-After when it sends one (429 and 503 usually do).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfproc {

struct BackoffOptions {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds maximum{30000};
};

// Whether an HTTP status is worth another try: 5xx and 429. 0 is a transport error (refused,
// timed out), retried as well.
bool retryable_status(long status);

// The wait before retry number `attempt` (1 for the first retry): a uniform draw from
// [0, min(maximum, initial * 2^(attempt-1))], drawn with `uniform01` in [0, 1).
std::chrono::milliseconds backoff_delay(const BackoffOptions& options, std::uint32_t attempt, double uniform01);

// Retry-After: delay-seconds, or an HTTP date (RFC 9110) relative to `now_unix_seconds`;
// nullopt when absent or unparsable. A date in the past is a zero wait.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, std::int64_t now_unix_seconds);

}  // namespace bpfproc
