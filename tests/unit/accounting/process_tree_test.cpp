// The process tree of `bpfproc measure`, from synthetic lifecycle events and scans: who belongs
// to the tree, and that every thread is counted exactly once, whether it exited or still lives.
#include "bpfproc/accounting/process_tree.h"

#include <vector>

#include <gtest/gtest.h>

#include "lifecycle_events.h"

namespace bpfproc {
namespace {

constexpr ProcessKey kRoot{100, 5'000};

// A thread of `process`: tid == pid for the leader, whose start is the process's.
task_record thread_of(ProcessKey process, std::uint32_t tid, std::uint64_t runtime_ns) {
  task_record record{};
  record.tid = tid;
  record.tgid = process.pid;
  record.process_start_ns = process.start_ns;
  record.start_ns = tid == process.pid ? process.start_ns : process.start_ns + tid;
  record.flags = tid == process.pid ? TASK_RECORD_LEADER : 0;
  record.counters.runtime_ns = runtime_ns;
  record.counters.user_ns = runtime_ns;  // sampled ticks: all user unless a test says otherwise
  record.counters.voluntary_switches = 1;
  return record;
}

TEST(ProcessTree, DescendantsJoinAndStrangersDoNot) {
  ProcessTree tree(kRoot);
  const ProcessKey child{101, 6'000}, grandchild{102, 7'000}, stranger{200, 6'500};
  tree.on_fork(fork_of(child, kRoot));
  tree.on_fork(fork_of(grandchild, child));
  tree.on_fork(fork_of({201, 8'000}, stranger));  // a stranger's child
  tree.on_fork(fork_of({103, 9'000}, {kRoot.pid, kRoot.start_ns + 1}));  // an older owner of the root's pid
  EXPECT_TRUE(tree.is_member(child));
  EXPECT_TRUE(tree.is_member(grandchild));
  EXPECT_FALSE(tree.is_member({201, 8'000}));
  EXPECT_FALSE(tree.is_member({103, 9'000}));
  EXPECT_EQ(tree.totals().processes, 3u);

  // A stranger's exit is not ours, even with a pid that was once a member's.
  tree.on_exit(exit_of(thread_of({child.pid, 1'000}, child.pid, 999'999), true));
  EXPECT_EQ(tree.totals().counters.runtime_ns, 0u);
  EXPECT_EQ(tree.totals().threads, 0u);
}

TEST(ProcessTree, SumsTheFinalCountersOfEveryExitedThreadOnce) {
  ProcessTree tree(kRoot);
  const ProcessKey child{101, 6'000};
  tree.on_fork(fork_of(child, kRoot));
  const task_record worker = thread_of(child, 150, 2'000);
  tree.on_exit(exit_of(worker, false));
  tree.on_exit(exit_of(worker, false));  // the same thread again: counted once
  tree.on_exit(exit_of(thread_of(child, child.pid, 3'000), true));
  tree.on_exit(exit_of(thread_of(kRoot, kRoot.pid, 10'000), true, 42));

  const TreeTotals totals = tree.totals();
  EXPECT_EQ(totals.counters.runtime_ns, 15'000u);
  EXPECT_EQ(totals.counters.voluntary_switches, 3u);
  EXPECT_EQ(totals.processes, 2u);
  EXPECT_EQ(totals.threads, 3u);
  EXPECT_EQ(totals.still_running, 0u);
  EXPECT_TRUE(tree.root_exited());
  EXPECT_EQ(tree.root_exit_time_ns(), 42u);
  EXPECT_TRUE(tree.live_members().empty());
}

TEST(ProcessTree, ALiveThreadCountsItsLatestReadingUntilItsExitReplacesIt) {
  ProcessTree tree(kRoot);
  const ProcessKey survivor{101, 6'000};
  tree.on_fork(fork_of(survivor, kRoot));
  tree.on_exit(exit_of(thread_of(kRoot, kRoot.pid, 1'000), true));

  std::vector<task_record> scan = {thread_of(survivor, survivor.pid, 500), thread_of(survivor, 160, 700),
                                   thread_of({300, 1}, 300, 1'000'000)};  // not ours
  tree.observe_scan(scan);
  TreeTotals totals = tree.totals();
  EXPECT_EQ(totals.counters.runtime_ns, 2'200u);
  EXPECT_EQ(totals.threads, 3u);
  EXPECT_EQ(totals.still_running, 1u);

  // A newer scan replaces the readings, it does not add to them.
  scan[0].counters.runtime_ns = 900;
  tree.observe_scan(scan);
  EXPECT_EQ(tree.totals().counters.runtime_ns, 2'600u);

  // The worker exits after the scan: its final counters replace its reading.
  tree.on_exit(exit_of(thread_of(survivor, 160, 800), false));
  totals = tree.totals();
  EXPECT_EQ(totals.counters.runtime_ns, 2'700u);
  EXPECT_EQ(totals.threads, 3u);
  EXPECT_EQ(totals.still_running, 1u);
}

TEST(ProcessTree, AZombieListedAfterItsExitIsNotCountedTwice) {
  ProcessTree tree(kRoot);
  const ProcessKey zombie{101, 6'000};
  tree.on_fork(fork_of(zombie, kRoot));
  const task_record final_record = thread_of(zombie, zombie.pid, 4'000);
  tree.on_exit(exit_of(final_record, true));
  // Its parent has not reaped it, so the iterator still lists it.
  const std::vector<task_record> scan = {final_record, thread_of(kRoot, kRoot.pid, 1'000)};
  tree.observe_scan(scan);
  const TreeTotals totals = tree.totals();
  EXPECT_EQ(totals.counters.runtime_ns, 5'000u);
  EXPECT_EQ(totals.threads, 2u);
  EXPECT_EQ(totals.still_running, 1u) << "only the root";
}

TEST(ProcessTree, AMemberNeitherDeadNorScannedIsUnaccounted) {
  ProcessTree tree(kRoot);
  const ProcessKey reaped{101, 6'000}, alive{102, 6'500};
  tree.on_fork(fork_of(reaped, kRoot));
  tree.on_fork(fork_of(alive, kRoot));
  tree.on_exit(exit_of(thread_of(kRoot, kRoot.pid, 1'000), true));
  const std::vector<task_record> scan = {thread_of(alive, alive.pid, 10)};
  tree.observe_scan(scan);
  ASSERT_EQ(tree.unaccounted_members().size(), 1u);
  EXPECT_EQ(tree.unaccounted_members()[0], reaped);

  // Its final exit arrives: nothing is missing any more.
  tree.on_exit(exit_of(thread_of(reaped, reaped.pid, 2'000), true));
  EXPECT_TRUE(tree.unaccounted_members().empty());
  EXPECT_EQ(tree.live_members().size(), 1u);
}

TEST(ProcessTree, UserAndSystemFollowTheSampledRatioOfEachProcessAndSumToTheRuntime) {
  ProcessTree tree(kRoot);
  const ProcessKey child{101, 6'000};
  tree.on_fork(fork_of(child, kRoot));
  task_record root = thread_of(kRoot, kRoot.pid, 1'000);
  root.counters.user_ns = 3;  // 3:1 user:system ticks
  root.counters.system_ns = 1;
  task_record busy = thread_of(child, child.pid, 3'001);
  busy.counters.user_ns = 0;  // all system ticks
  busy.counters.system_ns = 7;
  tree.on_exit(exit_of(root, true));
  tree.on_exit(exit_of(busy, true));

  const Counters counters = tree.totals().counters;
  EXPECT_EQ(counters.runtime_ns, 4'001u);
  EXPECT_EQ(counters.user_ns, 750u);
  EXPECT_EQ(counters.system_ns, 250u + 3'001u);
  EXPECT_EQ(counters.user_ns + counters.system_ns, counters.runtime_ns);
}

TEST(ProcessTree, MergesHistogramsAndKeepsTheExactLongestWait) {
  ProcessTree tree(kRoot);
  task_record exited = thread_of(kRoot, 110, 1);
  exited.runqueue_latency.slots[0] = 3;
  exited.runqueue_latency.sum_ns = 2'000;
  exited.runqueue_latency.max_ns = 1'000;
  tree.on_exit(exit_of(exited, false));
  task_record live = thread_of(kRoot, kRoot.pid, 1);
  live.runqueue_latency.slots[5] = 1;
  live.runqueue_latency.sum_ns = 30'000;
  live.runqueue_latency.max_ns = 30'000;
  tree.observe_scan(std::vector<task_record>{live});

  const TreeTotals totals = tree.totals();
  EXPECT_EQ(totals.counters.runqueue_latency.count(), 4u);
  EXPECT_EQ(totals.counters.runqueue_latency.slots[0], 3u);
  EXPECT_EQ(totals.counters.runqueue_latency.slots[5], 1u);
  EXPECT_EQ(totals.counters.runqueue_latency.sum_ns, 32'000u);
  EXPECT_EQ(totals.runqueue_latency_max_ns, 30'000u);
}

TEST(ProcessTree, TheRootsExecIsNoticed) {
  ProcessTree tree(kRoot);
  EXPECT_FALSE(tree.root_execed());
  tree.on_exec(exec_of(thread_of({kRoot.pid, kRoot.start_ns + 1}, kRoot.pid, 0)));  // another process
  EXPECT_FALSE(tree.root_execed());
  tree.on_exec(exec_of(thread_of(kRoot, kRoot.pid, 0)));
  EXPECT_TRUE(tree.root_execed());
}

}  // namespace
}  // namespace bpfproc
