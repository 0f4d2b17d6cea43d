// Exact per-process counters from synthetic iterator records and exit events: what each reading
// is, what settling hands on, and when a process is taken as gone.
#include "bpfproc/accounting/process_accounts.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "lifecycle_events.h"

namespace bpfproc {
namespace {

constexpr ProcessKey kProcess{100, 5'000};

task_record thread_of(std::uint32_t tid, std::uint64_t runtime_ns, std::uint64_t start_ns = 0) {
  task_record record{};
  record.tid = tid;
  record.tgid = kProcess.pid;
  record.process_start_ns = kProcess.start_ns;
  record.start_ns = start_ns != 0 ? start_ns : (tid == kProcess.pid ? kProcess.start_ns : kProcess.start_ns + tid);
  record.flags = tid == kProcess.pid ? TASK_RECORD_LEADER : 0;
  record.counters.runtime_ns = runtime_ns;
  record.counters.user_ns = runtime_ns;  // sampled ticks: all user
  return record;
}

using Reading = ProcessAccounts::Reading;

TEST(ProcessAccounts, SaysWhatEachRecordWas) {
  ProcessAccounts accounts;
  accounts.begin_scan(1);
  EXPECT_EQ(accounts.observe_task(thread_of(100, 10)), Reading::new_process);
  EXPECT_EQ(accounts.observe_task(thread_of(101, 10)), Reading::live_thread);
  accounts.end_scan();

  EXPECT_FALSE(accounts.on_exit(exit_of(thread_of(101, 20), false))) << "not its last thread";
  accounts.begin_scan(2);
  EXPECT_EQ(accounts.observe_task(thread_of(101, 15)), Reading::exited_thread) << "a stale record";
  accounts.end_scan();
  const std::optional<ProcessUsage> usage = accounts.usage(kProcess);
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->used.runtime_ns, 30u);
  EXPECT_EQ(usage->live_threads, 1u);
  EXPECT_EQ(usage->exited_threads, 1u);
  EXPECT_FALSE(accounts.usage({100, 1}).has_value()) << "another process of that pid";
}

// A process forgotten after its exit while its zombie leader waits to be reaped: the next full
// scan lists that leader again, which must not bring the process back (its CPU and exit would be
// counted twice, and its reaping taken for an exit without an event).
TEST(ProcessAccounts, TheZombieOfAForgottenProcessDoesNotBringItBack) {
  constexpr std::uint32_t kZombie = 0x20;  // EXIT_ZOMBIE
  ProcessAccounts accounts;
  accounts.begin_scan(1, ProcessAccounts::Pass::full);
  EXPECT_EQ(accounts.observe_task(thread_of(100, 10)), Reading::new_process);
  accounts.end_scan();
  EXPECT_TRUE(accounts.on_exit(exit_of(thread_of(100, 20), true)));
  accounts.forget(kProcess);

  task_record zombie = thread_of(100, 20);
  zombie.state = kZombie;
  accounts.begin_scan(2, ProcessAccounts::Pass::full);
  EXPECT_EQ(accounts.observe_task(zombie), Reading::exited_thread);
  accounts.end_scan();
  EXPECT_FALSE(accounts.usage(kProcess).has_value());

  // A process alive while its leader is a zombie (the leader called pthread_exit) is added by its
  // live threads, and its leader's records count from then on.
  accounts.begin_scan(3, ProcessAccounts::Pass::full);
  EXPECT_EQ(accounts.observe_task(zombie), Reading::exited_thread);
  EXPECT_EQ(accounts.observe_task(thread_of(101, 5)), Reading::new_process);
  EXPECT_EQ(accounts.observe_task(zombie), Reading::live_thread);
  accounts.end_scan();
  ASSERT_TRUE(accounts.usage(kProcess).has_value());
  EXPECT_EQ(accounts.usage(kProcess)->used.runtime_ns, 25u);
}

TEST(ProcessAccounts, SettlingHandsOnWhatWasUsedSinceTheLastTime) {
  ProcessAccounts accounts;
  accounts.add_new_process(kProcess);
  accounts.begin_scan(1);
  accounts.observe_task(thread_of(100, 300));
  EXPECT_EQ(accounts.settle(kProcess).runtime_ns, 300u);
  EXPECT_EQ(accounts.usage(kProcess)->unsettled.runtime_ns, 0u);

  accounts.observe_task(thread_of(100, 500));
  const ProcessUsage usage = *accounts.usage(kProcess);
  EXPECT_EQ(usage.used.runtime_ns, 500u);
  EXPECT_EQ(usage.unsettled.runtime_ns, 200u);
  EXPECT_EQ(usage.unsettled.user_ns + usage.unsettled.system_ns, 200u);
  EXPECT_EQ(accounts.settle(kProcess).runtime_ns, 200u);
  EXPECT_EQ(accounts.settle(kProcess).runtime_ns, 0u);
}

TEST(ProcessAccounts, ATidTakenByANewThreadKeepsTheOldThreadsCounters) {
  ProcessAccounts accounts;
  accounts.begin_scan(1);
  accounts.observe_task(thread_of(100, 10));
  accounts.observe_task(thread_of(101, 40));
  accounts.observe_task(thread_of(101, 5, /*start_ns=*/9'999));  // tid 101 reused, no exit event seen
  const ProcessUsage usage = *accounts.usage(kProcess);
  EXPECT_EQ(usage.used.runtime_ns, 55u);
  EXPECT_EQ(usage.live_threads, 2u);
  EXPECT_EQ(usage.exited_threads, 1u);
}

TEST(ProcessAccounts, AProcessGoneWithoutAnExitEventVanishesThenFinishes) {
  ProcessAccounts accounts;
  accounts.begin_scan(1);
  accounts.observe_task(thread_of(100, 900));
  EXPECT_TRUE(accounts.end_scan().vanished.empty());

  accounts.begin_scan(2);
  EXPECT_TRUE(accounts.end_scan().vanished.empty()) << "one missed scan is not yet an exit";
  accounts.begin_scan(3);
  ProcessAccounts::ScanOutcome outcome = accounts.end_scan();
  EXPECT_EQ(outcome.vanished, std::vector<ProcessKey>{kProcess});
  EXPECT_TRUE(outcome.finished.empty()) << "late events of its threads may still come";
  EXPECT_TRUE(accounts.exited(kProcess));
  EXPECT_EQ(accounts.unobserved_exits(), 1u);

  for (std::uint64_t scan = 4; outcome.finished.empty() && scan < 10; ++scan) {
    accounts.begin_scan(scan);
    outcome = accounts.end_scan();
  }
  EXPECT_EQ(outcome.finished, std::vector<ProcessKey>{kProcess});
  EXPECT_EQ(accounts.size(), 1u) << "finished, but the caller decides when to forget it";
  EXPECT_EQ(accounts.usage(kProcess)->used.runtime_ns, 900u);
  accounts.forget(kProcess);
  EXPECT_EQ(accounts.size(), 0u);
}

// The kernel holds an exit until a sweep finds the task's final switch done, and a collection
// drains (and sweeps) after reading the iterator, before its scan is applied. A process unhashed
// before scan 2's read has its exit records applied by scan 3 at the latest: not a vanished
// process, and each thread counted once, with its final counters.
TEST(ProcessAccounts, AnExitHeldUntilTheFinalSwitchLandsWithinTheGracePeriod) {
  ProcessAccounts accounts;
  accounts.begin_scan(1);
  accounts.observe_task(thread_of(100, 900));
  accounts.observe_task(thread_of(101, 200));
  EXPECT_TRUE(accounts.end_scan().vanished.empty());

  // Collection 2: both threads already left the iterator; the sweep after the read finds only
  // the thread's final switch done.
  EXPECT_FALSE(accounts.on_exit(exit_of(thread_of(101, 250), false)));
  accounts.begin_scan(2);
  EXPECT_TRUE(accounts.end_scan().vanished.empty());

  // Collection 3: the leader's exit comes with the next sweep, before this scan is applied.
  EXPECT_TRUE(accounts.on_exit(exit_of(thread_of(100, 1'000), true)));
  accounts.begin_scan(3);
  const ProcessAccounts::ScanOutcome outcome = accounts.end_scan();
  EXPECT_TRUE(outcome.vanished.empty());
  EXPECT_EQ(accounts.unobserved_exits(), 0u);
  EXPECT_TRUE(accounts.exited(kProcess));
  const ProcessUsage usage = *accounts.usage(kProcess);
  EXPECT_EQ(usage.used.runtime_ns, 1'250u) << "final counters, each thread once";
  EXPECT_EQ(usage.exited_threads, 2u);
  EXPECT_EQ(usage.live_threads, 0u);
}

TEST(ProcessAccounts, OnlyTheLastThreadsExitEndsTheProcess) {
  ProcessAccounts accounts;
  accounts.add_new_process(kProcess);
  EXPECT_FALSE(accounts.on_exit(exit_of(thread_of(101, 10), false)));
  EXPECT_FALSE(accounts.exited(kProcess));
  EXPECT_TRUE(accounts.on_exit(exit_of(thread_of(100, 20), true)));
  EXPECT_FALSE(accounts.on_exit(exit_of(thread_of(100, 20), true))) << "the same event again";
  EXPECT_TRUE(accounts.exited(kProcess));
  EXPECT_EQ(accounts.usage(kProcess)->used.runtime_ns, 30u);
}

}  // namespace
}  // namespace bpfproc

namespace bpfproc {
namespace {

task_record named(std::uint32_t tid, std::uint64_t runtime_ns, const char* comm) {
  task_record record = thread_of(tid, runtime_ns);
  std::strncpy(record.comm, comm, sizeof(record.comm) - 1);
  return record;
}

std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> by_name(ProcessAccounts& accounts, std::uint32_t label) {
  std::vector<bool> wanted(label + 1, false);
  wanted[label] = true;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> names;  // live threads, runtime
  const auto every_label = accounts.thread_name_totals(wanted);
  for (const auto& totals : every_label.at(label))
    names[accounts.thread_name(totals.name)] = {totals.live_threads, totals.counters.runtime_ns};
  return names;
}

TEST(ThreadNameTotals, LiveThreadsByNameAndExitedOnesFoldedUnderTheirName) {
  ProcessAccounts accounts;
  accounts.keep_thread_names(true);
  accounts.begin_scan(1);
  (void)accounts.observe_task(named(100, 10, "server"));
  (void)accounts.observe_task(named(101, 20, "worker"));
  (void)accounts.observe_task(named(102, 30, "worker"));
  accounts.end_scan();
  accounts.set_label(kProcess, 0);
  using Names = std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>;
  EXPECT_EQ(by_name(accounts, 0), (Names{{"server", {1, 10}}, {"worker", {2, 50}}}));

  // A worker exits: its final counters stay under its name, it is no longer live.
  (void)accounts.on_exit(exit_of(named(102, 35, "worker"), false));
  EXPECT_EQ(by_name(accounts, 0), (Names{{"server", {1, 10}}, {"worker", {1, 55}}}));
  EXPECT_TRUE(accounts.thread_name_totals({false}).at(0).empty()) << "only the labels wanted";

  // The label is given up (a retired group): what exited under it goes.
  accounts.forget_label(0);
  EXPECT_EQ(by_name(accounts, 0), (Names{{"server", {1, 10}}, {"worker", {1, 20}}}));
}

TEST(ThreadNames, AreCappedSoThatRenamesCannotGrowTheTable) {
  ThreadNames names;
  EXPECT_EQ(names.intern("a"), names.intern("a"));
  for (std::size_t index = 0; index < 2 * ThreadNames::kMaxNames; ++index) (void)names.intern("t" + std::to_string(index));
  EXPECT_EQ(names.size(), ThreadNames::kMaxNames);
  EXPECT_EQ(names.name(names.intern("yet another")), ThreadNames::kOverflowName);
  EXPECT_EQ(names.name(names.intern("a")), "a") << "names seen before keep their id";
}

}  // namespace
}  // namespace bpfproc

namespace bpfproc {
namespace {

task_record leader_of(std::uint32_t pid, std::uint64_t runtime_ns) {
  task_record record{};
  record.tid = record.tgid = pid;
  record.start_ns = record.process_start_ns = 1'000 + pid;
  record.flags = TASK_RECORD_LEADER;
  record.counters.runtime_ns = runtime_ns;
  return record;
}

std::vector<std::uint32_t> top_pids(ProcessAccounts& accounts, std::size_t n) {
  std::vector<std::uint32_t> pids;
  const auto every_label = accounts.top_processes(n);
  for (const auto& top : every_label.at(0)) pids.push_back(top.key.pid);
  return pids;
}

TEST(TopProcesses, TheMostCpuSinceTheLastCallAndTheHighestUssByPid) {
  ProcessAccounts accounts;
  accounts.begin_scan(1);
  for (std::uint32_t pid : {10, 11, 12, 13}) (void)accounts.observe_task(leader_of(pid, 100 * pid));
  accounts.end_scan();
  for (std::uint32_t pid : {10, 11, 12, 13}) accounts.set_label({pid, 1'000 + pid}, 0);
  MemoryUsage big;
  big.uss = 1 << 30;
  accounts.set_memory({10, 1'010}, big);
  (void)accounts.label_totals();
  EXPECT_EQ(top_pids(accounts, 1), (std::vector<std::uint32_t>{10, 13})) << "13 used the most; 10 holds the most";

  // Only 11 ran since: it is the busiest now; idle members are not ranked by CPU.
  accounts.begin_scan(2, ProcessAccounts::Pass::changes);
  (void)accounts.observe_task(leader_of(11, 5'000));
  accounts.end_scan();
  (void)accounts.label_totals();
  EXPECT_EQ(top_pids(accounts, 1), (std::vector<std::uint32_t>{10, 11}));
  EXPECT_EQ(top_pids(accounts, 1), (std::vector<std::uint32_t>{10})) << "nothing ran since the last call";
  EXPECT_EQ(accounts.top_processes(1).at(0).at(0).memory->uss, 1u << 30);
}

}  // namespace
}  // namespace bpfproc
