#include "bpfproc/grouping/identity_pool.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

ProcessIdentity program(int pid, std::vector<std::string> argv, std::uint32_t uid = 0) {
  ProcessIdentity identity;
  identity.pid = pid;
  identity.start_time_ns = static_cast<std::uint64_t>(pid) * 1000;
  identity.comm = "worker";
  identity.exe_path = "/usr/sbin/worker";
  identity.argv = std::move(argv);
  identity.uid = uid;
  return identity;
}

TEST(IdentityPool, ProcessesOfOneProgramShareOneIdentity) {
  IdentityPool pool;
  auto first = pool.intern(program(10, {"worker", "--serve"}));
  auto second = pool.intern(program(11, {"worker", "--serve"}));
  EXPECT_EQ(first.get(), second.get()) << "pid and start time do not tell programs apart";
  EXPECT_EQ(first->pid, 10) << "the pid of the process that brought it in";
  EXPECT_EQ(pool.size(), 1u);
}

TEST(IdentityPool, AnythingAGroupingDecisionReadsTellsProgramsApart) {
  IdentityPool pool;
  auto base = pool.intern(program(10, {"worker", "--serve"}));
  EXPECT_NE(pool.intern(program(11, {"worker", "--serve", "x"})).get(), base.get());
  EXPECT_NE(pool.intern(program(12, {"worker", "--serv"})).get(), base.get());
  EXPECT_NE(pool.intern(program(13, {"worker", "--serve"}, 1000)).get(), base.get());
  ProcessIdentity renamed = program(14, {"worker", "--serve"});
  renamed.comm = "worker-2";
  EXPECT_NE(pool.intern(renamed).get(), base.get());
  ProcessIdentity moved = program(15, {"worker", "--serve"});
  moved.exe_path = "/opt/worker";
  EXPECT_NE(pool.intern(moved).get(), base.get());
  ProcessIdentity kernel = program(16, {"worker", "--serve"});
  kernel.kernel_thread = true;
  EXPECT_NE(pool.intern(kernel).get(), base.get());
  // Arguments are compared one by one, not joined.
  EXPECT_NE(pool.intern(program(17, {"worker --serve"})).get(), base.get());
}

TEST(IdentityPool, AnIdentityGoesWithItsLastProcess) {
  IdentityPool pool;
  auto kept = pool.intern(program(1, {"kept"}));
  for (int pid = 2; pid < 5000; ++pid) (void)pool.intern(program(pid, {"job", std::to_string(pid)}));
  EXPECT_LT(pool.size(), 2048u) << "entries of identities no process holds are swept";
  EXPECT_EQ(pool.intern(program(9, {"kept"})).get(), kept.get()) << "a held identity stays pooled";
}

}  // namespace
}  // namespace bpfproc
