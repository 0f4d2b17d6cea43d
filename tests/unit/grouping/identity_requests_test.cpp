// The reading side of identity requests, against tests/fixtures/proc and the password database.
#include "bpfproc/grouping/identity_requests.h"

#include <gtest/gtest.h>

#include "bpfproc/util/clock.h"

namespace bpfproc {
namespace {

const ProcFs kFixtures(std::string(BPFPROC_FIXTURES_DIR) + "/proc");
// tests/fixtures/proc/1000 is `sleep 1000`, started at tick 33285.
const ProcessKey kSleep{1000, ticks_to_nanoseconds(33285) + 1234};

TEST(ReadIdentity, ReadsTheProcessThatStartedAtTheKeysTime) {
  const std::optional<ProcessIdentity> identity = read_identity(kFixtures, kSleep);
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->comm, "sleep");
  EXPECT_EQ(identity->exe_path, "/usr/bin/sleep");
  EXPECT_EQ(identity->argv, (std::vector<std::string>{"sleep", "1000"}));
  EXPECT_EQ(identity->start_time_ns, kSleep.start_ns) << "the key's exact time, not /proc's ticks";
}

TEST(ReadIdentity, AnotherProcessWithThatPidOrNoneIsNoAnswer) {
  EXPECT_FALSE(read_identity(kFixtures, {kSleep.pid, kSleep.start_ns + 1'000'000'000}));
  EXPECT_FALSE(read_identity(kFixtures, {999'999, kSleep.start_ns}));
}

TEST(ReadIdentities, AnswersEveryRequest) {
  IdentityRequests requests;
  requests.processes = {kSleep, {999'999, 1}};
  requests.uids = {0, 4'000'000'000u};
  const IdentityReplies replies = read_identities(kFixtures, requests);
  ASSERT_EQ(replies.identities.size(), 2u);
  EXPECT_EQ(replies.identities[0].first, kSleep);
  EXPECT_TRUE(replies.identities[0].second);
  EXPECT_EQ(replies.identities[1].first, (ProcessKey{999'999, 1}));
  EXPECT_FALSE(replies.identities[1].second);
  EXPECT_EQ(replies.user_names, (std::vector<std::pair<std::uint32_t, std::string>>{
                                    {0, "root"}, {4'000'000'000u, "4000000000"}}))
      << "a uid without a name is named by its number";
}

}  // namespace
}  // namespace bpfproc
