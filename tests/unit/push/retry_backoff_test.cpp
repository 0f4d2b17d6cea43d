#include "bpfproc/push/retry_backoff.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

using std::chrono::milliseconds;

TEST(RetryBackoff, RetriesServerErrorsAndTooManyRequestsOnly) {
  for (const long status : {0L, 429L, 500L, 502L, 503L, 599L}) EXPECT_TRUE(retryable_status(status)) << status;
  for (const long status : {200L, 204L, 400L, 401L, 403L, 404L, 413L}) EXPECT_FALSE(retryable_status(status)) << status;
}

TEST(RetryBackoff, DoublesUpToTheMaximumWithFullJitter) {
  const BackoffOptions options{milliseconds(500), milliseconds(30000)};
  EXPECT_EQ(backoff_delay(options, 1, 0.999999), milliseconds(499));
  EXPECT_EQ(backoff_delay(options, 2, 0.5), milliseconds(500));
  EXPECT_EQ(backoff_delay(options, 3, 0.5), milliseconds(1000));
  EXPECT_EQ(backoff_delay(options, 4, 0.0), milliseconds(0));
  EXPECT_EQ(backoff_delay(options, 10, 0.5), milliseconds(15000));  // capped at 30 s
  EXPECT_EQ(backoff_delay(options, 1000, 0.5), milliseconds(15000));
}

TEST(RetryBackoff, ParsesRetryAfterSecondsAndDates) {
  // 2026-11-30 12:00:00 UTC.
  constexpr std::int64_t now = 1796040000;
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Mon, 30 Nov 2026 12:00:30 GMT", now), milliseconds(30000));
  EXPECT_EQ(parse_retry_after("Mon, 30 Nov 2026 11:00:00 GMT", now), milliseconds(0));  // past
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("12s", now));
}

}  // namespace
}  // namespace bpfproc
