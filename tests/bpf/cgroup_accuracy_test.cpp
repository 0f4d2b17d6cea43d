// Groups by cgroup ({{.Cgroup}} and a cgroup: selector) against the kernel's own per-cgroup CPU
// total (cpu.stat usage_usec of a cgroup v2): long and 2 ms processes, threads that exit and
// auto-reaped children in two cgroups at once, and a process moved from one to the other while
// it runs. Workloads start in their cgroup (clone3 CLONE_INTO_CGROUP), so that even what the child
// runs before its exec is in both the cgroup's total and its group.
#include <fcntl.h>
#include <linux/sched.h>  // struct clone_args, CLONE_INTO_CGROUP
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bpf_test_support.h"
#include "test_cgroup.h"

namespace bpfproc::testing {
namespace {

// argv started in `cgroup` from birth; its stdout goes to /dev/null.
pid_t spawn_into(const TestCgroup& cgroup, const std::vector<std::string>& argv) {
  const int directory = open(cgroup.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory < 0) throw std::runtime_error("open " + cgroup.path());
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  clone_args clone{};
  clone.flags = CLONE_INTO_CGROUP;
  clone.exit_signal = SIGCHLD;
  clone.cgroup = static_cast<std::uint64_t>(directory);
  const long pid = syscall(SYS_clone3, &clone, sizeof(clone));
  if (pid == 0) {  // only async-signal-safe calls until the exec: the test has threads
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDOUT_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  close(directory);
  if (pid < 0) throw std::runtime_error("clone3 into " + cgroup.path() + ": " + std::strerror(errno));
  return static_cast<pid_t>(pid);
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string config_for(const TestCgroup& parent) {
  return "process_names: [{name: '{{.Cgroup}}', cgroup: ['^" + parent.v2_path() + "/']}]\n";
}

// Exported against usage_usec, printed for the report, checked within 0.5%.
void expect_matches_usage(const std::vector<GroupTotals>& groups, const TestCgroup& cgroup, const char* what) {
  const double exported = static_cast<double>(group_runtime_ns(groups, cgroup.v2_path()));
  const double truth = cgroup.usage_ns();
  std::printf("measured: %s %s: group %.3f ms, usage_usec %.3f ms, error %+.4f%%\n", what, cgroup.v2_path().c_str(),
              exported / 1e6, truth / 1e6, 100.0 * (exported - truth) / truth);
  EXPECT_GT(truth, 0);
  EXPECT_LT(relative_error(exported, truth), 0.005) << cgroup.v2_path() << ": group " << exported << " ns, usage "
                                                    << truth << " ns";
}

TEST(CgroupAccuracy, EachCgroupsGroupMatchesItsUsageWithinHalfPercent) {
  REQUIRE_BPF_OR_SKIP();
  TestCgroup slice("cgroup-accuracy");
  TestCgroup a(slice, "a.scope"), b(slice, "b.scope");
  auto monitor = start_monitor(config_for(slice), false);

  // A long process, 2 ms processes one after another, threads that exit, and children reaped by
  // the kernel (SIGCHLD ignored), in each cgroup at once.
  const std::string burn = tool("burn"), churn = tool("churn"), exits = tool("exits");
  std::vector<pid_t> pids = {
      spawn_into(a, {burn, "400"}),          spawn_into(a, {churn, "100", "2", burn}),
      spawn_into(a, {burn, "-t", "4", "60"}), spawn_into(a, {exits, "ignored", "60", "4"}),
      spawn_into(b, {burn, "250"}),          spawn_into(b, {churn, "150", "2", burn}),
      spawn_into(b, {burn, "-t", "3", "80"}), spawn_into(b, {exits, "ignored", "40", "6"}),
  };
  for (const pid_t pid : pids) EXPECT_EQ(wait_for(pid), 0);
  a.wait_empty();
  b.wait_empty();

  // Processes: burn 1, churn 1 + its burns, burn -t 1, exits 1 + its children.
  collect_until_exits(*monitor, a.v2_path(), 1 + 101 + 1 + 61);
  const auto groups = collect_until_exits(*monitor, b.v2_path(), 1 + 151 + 1 + 41);
  expect_matches_usage(groups, a, "mixed workload");
  expect_matches_usage(groups, b, "mixed workload");
  const GroupTotals* group_a = find_group(groups, a.v2_path());
  const GroupTotals* group_b = find_group(groups, b.v2_path());
  ASSERT_NE(group_a, nullptr);
  ASSERT_NE(group_b, nullptr);
  EXPECT_EQ(group_a->exits, 164u);
  EXPECT_EQ(group_b->exits, 194u);
  const auto lost = monitor->events_lost();
  EXPECT_EQ(lost.at("cgroup"), 0u) << "every cgroup id of the events was resolved";
}

// Moved while it burns: the CPU before the move stays with the first cgroup's group, the rest
// goes to the second's.
TEST(CgroupAccuracy, AMovedProcessTakesOnlyItsFutureCpuToTheNewGroup) {
  REQUIRE_BPF_OR_SKIP();
  TestCgroup slice("cgroup-move");
  TestCgroup a(slice, "a.scope"), b(slice, "b.scope");
  auto monitor = start_monitor(config_for(slice), false);

  const pid_t burner = spawn_into(a, {tool("burn"), "0"});
  usleep(300'000);
  (void)monitor->collect_groups();  // a collection in between: the group is decided by then
  usleep(100'000);
  {
    std::ofstream procs(b.path() + "/cgroup.procs");
    procs << burner << std::endl;
    ASSERT_TRUE(procs.good()) << "move to " << b.path();
  }
  usleep(300'000);
  kill(burner, SIGKILL);
  wait_for(burner);
  a.wait_empty();
  b.wait_empty();

  const auto groups = collect_until_exits(*monitor, b.v2_path(), 1);
  expect_matches_usage(groups, a, "before the move");
  expect_matches_usage(groups, b, "after the move");
  const GroupTotals* group_b = find_group(groups, b.v2_path());
  ASSERT_NE(group_b, nullptr);
  EXPECT_EQ(group_b->exits, 1u) << "it exited in the second cgroup";
}

}  // namespace
}  // namespace bpfproc::testing
