// The process table's accounting rules, driven with synthetic iterator records and events.
#include "bpfproc/grouping/process_table.h"

#include <cstring>
#include <map>

#include <gtest/gtest.h>

#include "lifecycle_events.h"

namespace bpfproc {
namespace {

constexpr std::uint32_t kInit = 1;

task_record task(std::uint32_t tid, std::uint32_t tgid, std::uint64_t process_start, std::uint64_t runtime_ns,
                 const char* comm, std::uint32_t parent = kInit) {
  task_record record{};
  record.tid = tid;
  record.tgid = tgid;
  record.parent_tgid = parent;
  record.start_ns = tid == tgid ? process_start : process_start + tid;
  record.process_start_ns = process_start;
  record.flags = tid == tgid ? TASK_RECORD_LEADER : 0;
  record.counters.runtime_ns = runtime_ns;
  // A 3:1 user:system sampled ratio, and one of every other counter per 10 ns of runtime.
  record.counters.user_ns = runtime_ns / 4 * 3;
  record.counters.system_ns = runtime_ns / 4;
  record.counters.voluntary_switches = runtime_ns / 10;
  record.counters.run_delay_ns = runtime_ns / 10;
  std::strncpy(record.comm, comm, sizeof(record.comm) - 1);
  return record;
}

// A table whose "/proc" is a map the test fills in, and whose uid u is named "user<u>".
struct Fixture {
  explicit Fixture(const std::string& yaml, std::uint64_t group_retention_ns = UINT64_MAX)
      : Fixture(yaml, GroupLimits{.retention_ns = group_retention_ns}) {}
  Fixture(const std::string& yaml, GroupLimits limits) : table(parse_config(yaml, "test").value(), limits) {}

  // The table's requests answered from `procfs`, as read_identities answers them from /proc.
  IdentityReplies answer(const IdentityRequests& requests) const {
    IdentityReplies replies;
    for (const ProcessKey& key : requests.processes) {
      auto found = procfs.find(key.pid);
      if (found == procfs.end() || found->second.start_time_ns != key.start_ns) replies.identities.emplace_back(key, std::nullopt);
      else replies.identities.emplace_back(key, found->second);
    }
    for (std::uint32_t uid : requests.uids) replies.user_names.emplace_back(uid, "user" + std::to_string(uid));
    return replies;
  }

  void live(std::uint32_t pid, std::uint64_t start, const std::string& comm, std::vector<std::string> argv) {
    ProcessIdentity identity;
    identity.pid = static_cast<int>(pid);
    identity.comm = comm;
    identity.exe_path = "/usr/bin/" + comm;
    identity.argv = std::move(argv);
    identity.start_time_ns = start;
    procfs[pid] = identity;
  }

  void scan(const std::vector<task_record>& records) {
    table.begin_scan(++scan_time);
    for (const task_record& record : records) table.observe_task(record);
    table.apply_identities(answer(table.end_scan()));
  }

  GroupTotals group(const std::string& name) {
    for (GroupTotals& totals : table.collect_groups())
      if (totals.name == name) return totals;
    return GroupTotals{};
  }

  std::map<std::uint32_t, ProcessIdentity> procfs;
  ProcessTable table;
  std::uint64_t scan_time = 0;
};

const char* const kByComm = "process_names: [{name: '{{.Comm}}', cmdline: ['.+']}]\n";

TEST(ProcessTable, LiveProcessFollowsTheIteratorAndSplitsCpu) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "nginx", {"nginx", "-g", "daemon off;"});
  fixture.scan({task(100, 100, 5000, 1000, "nginx")});
  EXPECT_EQ(fixture.group("nginx").counters.runtime_ns, 1000u);

  fixture.scan({task(100, 100, 5000, 2000, "nginx")});
  const GroupTotals nginx = fixture.group("nginx");
  EXPECT_EQ(nginx.counters.runtime_ns, 2000u);
  EXPECT_EQ(nginx.counters.user_ns, 1500u);
  EXPECT_EQ(nginx.counters.system_ns, 500u);
  EXPECT_EQ(nginx.counters.voluntary_switches, 200u);
  EXPECT_EQ(nginx.processes, 1u);
  EXPECT_EQ(nginx.threads, 1u);
  EXPECT_EQ(nginx.oldest_start_ns, 5000u);
}

TEST(ProcessTable, KernelThreadsAndProcessesWithoutCommandLineAreNotGrouped) {
  Fixture fixture(kByComm);
  fixture.live(200, 10, "kworker", {});
  fixture.scan({task(200, 200, 10, 1000, "kworker")});
  EXPECT_TRUE(fixture.table.collect_groups().empty());
  EXPECT_EQ(fixture.table.tracked_processes(), 1u);
}

TEST(ProcessTable, ExitFoldsFinalCountersIntoTheGroupForever) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "make", {"make", "-j2"});
  fixture.scan({task(100, 100, 5000, 1000, "make")});
  fixture.table.on_exit(exit_of(task(100, 100, 5000, 1800, "make"), /*group_dead=*/true));
  fixture.procfs.clear();

  GroupTotals make = fixture.group("make");
  EXPECT_EQ(make.counters.runtime_ns, 1800u);
  EXPECT_EQ(make.exits, 1u);
  EXPECT_EQ(make.processes, 0u);

  for (int scan = 0; scan < 4; ++scan) fixture.scan({});
  EXPECT_EQ(fixture.table.tracked_processes(), 0u) << "an exited process is forgotten";
  make = fixture.group("make");
  EXPECT_EQ(make.counters.runtime_ns, 1800u) << "its CPU is not";
  EXPECT_EQ(make.counters.user_ns + make.counters.system_ns, 1800u);
  EXPECT_EQ(make.exits, 1u);
}

// A task's run-queue waits: `waits` of at most 2^(10+slot) ns each, summing to waits * 1000 ns.
task_record with_waits(task_record record, std::size_t slot, std::uint64_t waits) {
  record.runqueue_latency.slots[slot] = waits;
  record.runqueue_latency.sum_ns = waits * 1000;
  return record;
}

TEST(ProcessTable, RunqueueHistogramsOfThreadsAndExitedProcessesAddUpInTheGroup) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "java", {"java"});
  fixture.scan({with_waits(task(100, 100, 5000, 100, "java"), 0, 3),
                with_waits(task(101, 100, 5000, 100, "java"), 2, 5)});
  EXPECT_EQ(fixture.group("java").counters.runqueue_latency.count(), 8u);

  // The thread exits with two more waits; the leader keeps running and waits once more.
  fixture.table.on_exit(exit_of(with_waits(task(101, 100, 5000, 120, "java"), 2, 7), false, 10'000));
  fixture.scan({with_waits(task(100, 100, 5000, 110, "java"), 0, 4)});
  RunqueueLatency latency = fixture.group("java").counters.runqueue_latency;
  EXPECT_EQ(latency.slots[0], 4u);
  EXPECT_EQ(latency.slots[2], 7u);
  EXPECT_EQ(latency.sum_ns, 11'000u);

  // The process exits: its histogram stays in the group after the table forgets it.
  fixture.table.on_exit(exit_of(with_waits(task(100, 100, 5000, 130, "java"), 0, 6), true));
  fixture.procfs.clear();
  for (int scan = 0; scan < 4; ++scan) fixture.scan({});
  latency = fixture.group("java").counters.runqueue_latency;
  EXPECT_EQ(latency.slots[0], 6u);
  EXPECT_EQ(latency.slots[2], 7u);
  EXPECT_EQ(latency.count(), 13u);
  EXPECT_EQ(latency.sum_ns, 13'000u);
}

TEST(ProcessTable, ReusedPidIsANewProcess) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "worker", {"worker"});
  fixture.scan({task(100, 100, 5000, 500, "worker")});
  fixture.table.on_exit(exit_of(task(100, 100, 5000, 500, "worker"), true));

  // Same pid, later start time: another process, whose counters start from its own zero.
  fixture.live(100, 9000, "worker", {"worker"});
  fixture.scan({task(100, 100, 9000, 20, "worker")});
  const GroupTotals worker = fixture.group("worker");
  EXPECT_EQ(worker.counters.runtime_ns, 520u);
  EXPECT_EQ(worker.processes, 1u);
  EXPECT_EQ(worker.exits, 1u);
}

TEST(ProcessTable, ThreadsThatExitKeepTheirCpu) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "java", {"java", "-jar", "app.jar"});
  fixture.scan({task(100, 100, 5000, 100, "java"), task(101, 100, 5000, 100, "java")});
  EXPECT_EQ(fixture.group("java").threads, 2u);

  fixture.table.on_exit(exit_of(task(101, 100, 5000, 120, "java"), /*group_dead=*/false, 10'000));
  fixture.scan({task(100, 100, 5000, 110, "java")});
  const GroupTotals java = fixture.group("java");
  EXPECT_EQ(java.counters.runtime_ns, 230u);
  EXPECT_EQ(java.threads, 1u);
  EXPECT_EQ(java.exits, 0u);
}

TEST(ProcessTable, AStaleRecordOfAnExitedThreadDoesNotCountItTwice) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "java", {"java"});
  fixture.scan({task(100, 100, 5000, 100, "java"), task(101, 100, 5000, 100, "java")});
  // The iterator read thread 101 just before it exited; its exit event is applied first.
  fixture.table.on_exit(exit_of(task(101, 100, 5000, 150, "java"), false, 10'000));
  fixture.scan({task(100, 100, 5000, 100, "java"), task(101, 100, 5000, 140, "java")});
  EXPECT_EQ(fixture.group("java").counters.runtime_ns, 250u);
  // Later scans cannot see 101 any more: the kernel unhashed it before its last switch.
  for (int scan = 0; scan < 4; ++scan) {
    fixture.scan({task(100, 100, 5000, 100, "java")});
    EXPECT_EQ(fixture.group("java").counters.runtime_ns, 250u);
  }
}

TEST(ProcessTable, ThreadsExitedBeforeFirstSightComeFromTheKernelsSignalTotals) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "java", {"java"});
  task_record leader = task(100, 100, 5000, 100, "java");
  leader.exited_threads.runtime_ns = 700;  // threads that exited before bpfproc started
  fixture.scan({leader});
  EXPECT_EQ(fixture.group("java").counters.runtime_ns, 800u);

  // The exit event of a thread that the baseline already includes must not count twice.
  fixture.table.on_exit(exit_of(task(102, 100, 5000, 700, "java"), false, /*time_ns=*/0));
  EXPECT_EQ(fixture.group("java").counters.runtime_ns, 800u);
}

TEST(ProcessTable, ExecCreditsEarlierCpuToTheOldGroup) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "sh", {"sh", "-c", "exec sleep 1"});
  fixture.scan({task(100, 100, 5000, 100, "sh")});
  EXPECT_EQ(fixture.group("sh").counters.runtime_ns, 100u);

  fixture.table.on_exec(exec_of(task(100, 100, 5000, 130, "sleep"), "/usr/bin/sleep", {"sleep", "1"}));
  fixture.live(100, 5000, "sleep", {"sleep", "1"});
  fixture.scan({task(100, 100, 5000, 200, "sleep")});

  EXPECT_EQ(fixture.group("sh").counters.runtime_ns, 130u);
  EXPECT_EQ(fixture.group("sh").processes, 0u);
  EXPECT_EQ(fixture.group("sleep").counters.runtime_ns, 70u);
  EXPECT_EQ(fixture.group("sleep").processes, 1u);
}

// The CPU before a cgroup move stays with the group of the cgroup it left, as at an exec.
TEST(ProcessTable, ACgroupMoveCreditsEarlierCpuToTheOldGroup) {
  Fixture fixture("process_names: [{name: '{{.Unit}}', cgroup: ['^/jobs/']}]\n");
  fixture.table.resolve_cgroups([](std::uint64_t id) -> std::optional<std::string> {
    return id == 8 ? std::optional<std::string>("/jobs/b.scope") : std::nullopt;
  });
  fixture.live(100, 5000, "burn", {"burn", "0"});
  fixture.procfs[100].cgroup = cgroup_fields_of_path("/jobs/a.scope");
  fixture.scan({task(100, 100, 5000, 100, "burn")});
  EXPECT_EQ(fixture.group("a.scope").counters.runtime_ns, 100u);

  cgroup_move_event move{};
  move.kind = EVENT_CGROUP_MOVE;
  move.cgroup_id = 8;
  move.task = task(100, 100, 5000, 130, "burn");
  fixture.table.on_cgroup_move(move);
  fixture.procfs[100].cgroup = cgroup_fields_of_path("/jobs/b.scope");
  fixture.scan({task(100, 100, 5000, 200, "burn")});
  EXPECT_EQ(fixture.group("a.scope").counters.runtime_ns, 130u);
  EXPECT_EQ(fixture.group("a.scope").processes, 0u);
  EXPECT_EQ(fixture.group("b.scope").counters.runtime_ns, 70u);
  EXPECT_EQ(fixture.group("b.scope").processes, 1u);

  // Rules that do not read the cgroup: a move changes nothing.
  Fixture by_comm(kByComm);
  by_comm.live(100, 5000, "burn", {"burn", "0"});
  by_comm.scan({task(100, 100, 5000, 100, "burn")});
  by_comm.table.on_cgroup_move(move);
  by_comm.scan({task(100, 100, 5000, 200, "burn")});
  EXPECT_EQ(by_comm.group("burn").counters.runtime_ns, 200u);
  EXPECT_EQ(by_comm.group("burn").processes, 1u);
}

// --group.cgroup-label: one group name, split by the members' units.
TEST(ProcessTable, TheCgroupLabelSplitsAGroupByUnit) {
  Config config = parse_config(kByComm, "test").value();
  config.cgroup_label = CgroupLabel::unit;
  ProcessTable table(config);
  std::map<std::uint32_t, ProcessIdentity> procfs;
  for (const auto& [pid, path] : {std::pair<std::uint32_t, const char*>{100, "/system.slice/a.service"},
                                  {101, "/system.slice/b.service"}, {102, "/system.slice/b.service"}}) {
    ProcessIdentity& identity = procfs[pid];
    identity.pid = static_cast<int>(pid);
    identity.start_time_ns = 5000;
    identity.comm = "nginx";
    identity.argv = {"nginx"};
    identity.cgroup = cgroup_fields_of_path(path);
  }
  table.begin_scan(1);
  for (std::uint32_t pid : {100u, 101u, 102u}) table.observe_task(task(pid, pid, 5000, 10 * pid, "nginx"));
  IdentityRequests requests = table.end_scan();
  EXPECT_TRUE(requests.parts.cgroup);
  IdentityReplies replies;
  for (const ProcessKey& key : requests.processes) replies.identities.emplace_back(key, procfs.at(key.pid));
  table.apply_identities(std::move(replies));
  const std::vector<GroupTotals> groups = table.collect_groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "nginx");
  EXPECT_EQ(groups[0].cgroup_label, "a.service");
  EXPECT_EQ(groups[0].cgroup_label_name, "unit");
  EXPECT_EQ(groups[0].counters.runtime_ns, 1000u);
  EXPECT_EQ(groups[1].cgroup_label, "b.service");
  EXPECT_EQ(groups[1].processes, 2u);
  EXPECT_EQ(groups[1].counters.runtime_ns, 1010u + 1020u);
}

TEST(ProcessTable, ShortLivedProcessIsGroupedFromWhatBpfDelivered) {
  Fixture fixture("process_names: [{name: 'job-{{.Matches.id}}', cmdline: ['--id=(?P<id>\\w+)']}]\n");
  fixture.live(50, 100, "runner", {"runner", "--id=parent"});
  fixture.scan({task(50, 50, 100, 10, "runner")});

  // Born and gone between two scans: /proc never showed it.
  fixture.table.on_fork(fork_of({60, 700}, {50, 100}, "runner"));
  fixture.table.on_exec(exec_of(task(60, 60, 700, 5, "job", 50), "/usr/bin/job", {"job", "--id=42"}));
  fixture.table.on_exit(exit_of(task(60, 60, 700, 5000, "job", 50), true));
  fixture.scan({task(50, 50, 100, 10, "runner")});

  const GroupTotals job = fixture.group("job-42");
  EXPECT_EQ(job.counters.runtime_ns, 4995u) << "runtime after the exec";
  EXPECT_EQ(job.exits, 1u);
  EXPECT_EQ(fixture.group("job-parent").counters.runtime_ns, 15u) << "parent's 10 plus the child's 5 before exec";
}

TEST(ProcessTable, UnmatchedChildrenJoinTheirNearestGroupedAncestor) {
  const char* const yaml = "process_names: [{name: ci, comm: [runner]}]\nchildren: true\n";
  Fixture fixture(yaml);
  fixture.live(50, 100, "runner", {"runner"});
  fixture.live(60, 200, "bash", {"bash", "build.sh"});
  fixture.live(70, 300, "cc1", {"cc1", "x.c"});
  fixture.scan({task(50, 50, 100, 10, "runner"), task(60, 60, 200, 20, "bash", 50),
                task(70, 70, 300, 30, "cc1", 60)});
  const GroupTotals ci = fixture.group("ci");
  EXPECT_EQ(ci.processes, 3u);
  EXPECT_EQ(ci.counters.runtime_ns, 60u);

  Fixture without_children("process_names: [{name: ci, comm: [runner]}]\nchildren: false\n");
  without_children.live(50, 100, "runner", {"runner"});
  without_children.live(60, 200, "bash", {"bash", "build.sh"});
  without_children.scan({task(50, 50, 100, 10, "runner"), task(60, 60, 200, 20, "bash", 50)});
  EXPECT_EQ(without_children.group("ci").processes, 1u);
}

TEST(ProcessTable, ProcessThatVanishesWithoutAnEventIsFinalizedAndCounted) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "daemon", {"daemon"});
  fixture.scan({task(100, 100, 5000, 900, "daemon")});
  fixture.procfs.clear();
  fixture.scan({});
  EXPECT_EQ(fixture.group("daemon").processes, 1u) << "one missed scan is not yet an exit";
  fixture.scan({});
  const GroupTotals daemon = fixture.group("daemon");
  EXPECT_EQ(daemon.processes, 0u);
  EXPECT_EQ(daemon.exits, 1u);
  EXPECT_EQ(daemon.counters.runtime_ns, 900u);
  EXPECT_EQ(fixture.table.unobserved_exits(), 1u);
}

TEST(ProcessTable, GroupCountersNeverGoDownWhateverTheOrderOfReadings) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "app", {"app"});
  fixture.live(101, 6000, "app", {"app"});
  fixture.scan({task(100, 100, 5000, 1000, "app"), task(101, 101, 6000, 1000, "app")});
  Counters previous = fixture.group("app").counters;

  const auto check_monotonic = [&](const char* step) {
    const Counters now = fixture.group("app").counters;
    Counters merged = now;
    merged.merge_max(previous);
    EXPECT_EQ(merged, now) << "a counter went down at: " << step;
    EXPECT_EQ(now.user_ns + now.system_ns, now.runtime_ns) << step;
    previous = now;
  };

  // The exit event arrives, then a stale iterator record of the zombie with older values.
  fixture.table.on_exit(exit_of(task(100, 100, 5000, 1500, "app"), true));
  check_monotonic("exit");
  fixture.scan({task(100, 100, 5000, 1200, "app"), task(101, 101, 6000, 1100, "app")});
  check_monotonic("stale zombie record");
  // The sampled ratio flips to mostly system time: neither part may shrink.
  task_record flipped = task(101, 101, 6000, 3000, "app");
  flipped.counters.user_ns = 100;
  flipped.counters.system_ns = 2900;
  fixture.scan({flipped});
  check_monotonic("ratio flip");
  // An exec into another group, then the process is forgotten.
  fixture.table.on_exec(exec_of(task(101, 101, 6000, 3100, "other"), "/usr/bin/other", {"other"}));
  fixture.live(101, 6000, "other", {"other"});
  for (int scan = 0; scan < 4; ++scan) {
    fixture.scan({task(101, 101, 6000, 3200, "other")});
    check_monotonic("exec and forgetting");
  }
  EXPECT_EQ(fixture.group("app").counters.runtime_ns, 1500u + 3100u);
}

// The table reads nothing itself: it asks, and decides nothing until the answers are applied.
TEST(ProcessTable, EndScanOnlyAsksForIdentitiesAndNothingIsGroupedUntilTheRepliesAreApplied) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "nginx", {"nginx", "-g", "daemon off;"});
  fixture.table.begin_scan(1);
  fixture.table.observe_task(task(100, 100, 5000, 1000, "nginx"));
  const IdentityRequests requests = fixture.table.end_scan();
  ASSERT_EQ(requests.processes.size(), 1u);
  EXPECT_EQ(requests.processes[0], (ProcessKey{100, 5000}));
  EXPECT_TRUE(requests.uids.empty()) << "no rule's name uses {{.Username}}";
  EXPECT_TRUE(fixture.table.collect_groups().empty()) << "grouped before /proc answered";
  EXPECT_TRUE(fixture.table.memory_candidates().empty());
  EXPECT_EQ(fixture.table.tracked_processes(), 1u);

  fixture.table.apply_identities(fixture.answer(requests));
  EXPECT_EQ(fixture.group("nginx").counters.runtime_ns, 1000u);
  EXPECT_EQ(fixture.table.memory_candidates().size(), 1u);

  // Asked once: the next scan has nothing to ask.
  fixture.table.begin_scan(2);
  fixture.table.observe_task(task(100, 100, 5000, 1500, "nginx"));
  EXPECT_TRUE(fixture.table.end_scan().empty());
  fixture.table.apply_identities({});
  EXPECT_EQ(fixture.group("nginx").counters.runtime_ns, 1500u);
}

// While the lock is released for the /proc reads, the event drain applies the process's exit.
TEST(ProcessTable, AProcessThatExitsBeforeItsIdentityReplyIsCreditedOnceToItsGroup) {
  Fixture fixture(kByComm);
  fixture.live(100, 5000, "make", {"make", "-j2"});
  fixture.table.begin_scan(1);
  fixture.table.observe_task(task(100, 100, 5000, 1000, "make"));
  const IdentityReplies replies = fixture.answer(fixture.table.end_scan());  // read while it lived
  fixture.table.on_exit(exit_of(task(100, 100, 5000, 1800, "make"), /*group_dead=*/true));
  fixture.procfs.clear();
  EXPECT_TRUE(fixture.table.collect_groups().empty()) << "its comm alone has no command line to match";

  fixture.table.apply_identities(replies);
  GroupTotals make = fixture.group("make");
  EXPECT_EQ(make.counters.runtime_ns, 1800u);
  EXPECT_EQ(make.exits, 1u);
  EXPECT_EQ(make.processes, 0u);

  for (int scan = 0; scan < 4; ++scan) fixture.scan({});
  EXPECT_EQ(fixture.table.tracked_processes(), 0u);
  make = fixture.group("make");
  EXPECT_EQ(make.counters.runtime_ns, 1800u) << "credited once";
  EXPECT_EQ(make.exits, 1u);
}

TEST(ProcessTable, AProcessGoneBeforeProcCouldBeReadIsGroupedFromWhatBpfDelivered) {
  Fixture fixture("process_names: [{name: build, comm: [make]}]\n");
  fixture.table.begin_scan(1);
  fixture.table.observe_task(task(100, 100, 5000, 1000, "make"));
  const IdentityRequests requests = fixture.table.end_scan();
  fixture.table.on_exit(exit_of(task(100, 100, 5000, 1800, "make"), /*group_dead=*/true));
  fixture.table.apply_identities(fixture.answer(requests));  // /proc no longer has it

  for (int scan = 0; scan < 4; ++scan) {
    const GroupTotals build = fixture.group("build");
    EXPECT_EQ(build.counters.runtime_ns, 1800u);
    EXPECT_EQ(build.exits, 1u);
    fixture.scan({});
  }
  EXPECT_EQ(fixture.table.tracked_processes(), 0u);
}

// Names are only applied, never looked up: a group that needs one waits for it.
TEST(ProcessTable, AGroupNamedByUserWaitsForTheNameAndThenCountsEverything) {
  Fixture fixture("process_names: [{name: '{{.Username}}-{{.Comm}}', comm: [sh, sleep]}]\n");
  task_record shell = task(50, 50, 100, 10, "sh");
  shell.uid = 1000;
  fixture.live(50, 100, "sh", {"sh"});
  fixture.procfs[50].uid = 1000;
  fixture.table.begin_scan(1);
  fixture.table.observe_task(shell);
  const IdentityRequests requests = fixture.table.end_scan();
  EXPECT_EQ(requests.uids, std::vector<std::uint32_t>{1000});
  fixture.table.apply_identities(fixture.answer(requests));
  EXPECT_EQ(fixture.group("user1000-sh").counters.runtime_ns, 10u);

  // A child of another uid execs and exits between two scans: its uid has no name yet.
  fixture.table.on_fork(fork_of({60, 700}, {50, 100}, "sh"));
  task_record child = task(60, 60, 700, 5, "sleep", 50);
  child.uid = 2000;
  fixture.table.on_exec(exec_of(child, "/usr/bin/sleep", {"sleep", "1"}));
  child.counters.runtime_ns = 500;
  fixture.table.on_exit(exit_of(child, true));
  EXPECT_EQ(fixture.group("user1000-sh").counters.runtime_ns, 15u) << "the shell it was before its exec";
  EXPECT_EQ(fixture.table.collect_groups().size(), 1u) << "no group before the name is known";

  fixture.scan({shell});
  const GroupTotals sleep = fixture.group("user2000-sleep");
  EXPECT_EQ(sleep.counters.runtime_ns, 495u);
  EXPECT_EQ(sleep.exits, 1u);
  for (int scan = 0; scan < 4; ++scan) fixture.scan({shell});
  EXPECT_EQ(fixture.table.tracked_processes(), 1u);
  EXPECT_EQ(fixture.group("user2000-sleep").counters.runtime_ns, 495u);
  EXPECT_EQ(fixture.group("user2000-sleep").exits, 1u);
}

TEST(ProcessTable, AProgramLeftAtExecBeforeItsGroupIsKnownIsCreditedToItOnceKnown) {
  Fixture fixture("process_names: [{name: '{{.Username}}-{{.Comm}}', comm: [sh, sleep]}]\n");
  task_record shell = task(60, 60, 700, 300, "sh");
  shell.uid = 3000;
  fixture.live(60, 700, "sh", {"sh", "-c", "exec sleep 1"});
  fixture.procfs[60].uid = 3000;
  fixture.table.begin_scan(1);
  fixture.table.observe_task(shell);
  const IdentityRequests requests = fixture.table.end_scan();
  const IdentityReplies replies = fixture.answer(requests);

  // The exec comes while the reply is on its way, and uid 3000 has no name yet: the 300 ns the
  // shell used wait for it.
  task_record sleeping = shell;
  sleeping.counters.runtime_ns = 300;
  std::strncpy(sleeping.comm, "sleep", sizeof(sleeping.comm) - 1);
  fixture.table.on_exec(exec_of(sleeping, "/usr/bin/sleep", {"sleep", "1"}));
  fixture.live(60, 700, "sleep", {"sleep", "1"});
  fixture.procfs[60].uid = 3000;
  EXPECT_TRUE(fixture.table.collect_groups().empty());

  fixture.table.apply_identities(replies);
  EXPECT_EQ(fixture.group("user3000-sh").counters.runtime_ns, 300u) << "decided from what the exec left";
  EXPECT_EQ(fixture.group("user3000-sh").processes, 0u);
  EXPECT_EQ(fixture.table.collect_groups().size(), 1u) << "the new program waits for /proc";

  sleeping.counters.runtime_ns = 1000;
  fixture.scan({sleeping});
  EXPECT_EQ(fixture.group("user3000-sh").counters.runtime_ns, 300u);
  EXPECT_EQ(fixture.group("user3000-sleep").counters.runtime_ns, 700u);
  EXPECT_EQ(fixture.group("user3000-sleep").processes, 1u);
}

// The cardinality a {{.PID}} template would otherwise pile up: one group per process that ever
// lived. Once its process is gone for good, a group stays for the retention (in scan time here),
// then leaves the report.
TEST(ProcessTable, GroupsOfProcessesGoneForGoodLeaveAfterTheRetention) {
  Fixture fixture("process_names: [{name: '{{.Comm}}-{{.PID}}', cmdline: ['.+']}]\n", /*retention=*/5);
  fixture.live(100, 5000, "keeper", {"keeper"});
  std::vector<task_record> records{task(100, 100, 5000, 1000, "keeper")};
  for (std::uint32_t pid = 200; pid < 250; ++pid) {
    fixture.live(pid, 6000 + pid, "job", {"job"});
    records.push_back(task(pid, pid, 6000 + pid, 10, "job"));
  }
  fixture.scan(records);
  EXPECT_EQ(fixture.table.collect_groups().size(), 51u);

  for (std::uint32_t pid = 200; pid < 250; ++pid) {
    fixture.table.on_exit(exit_of(task(pid, pid, 6000 + pid, 20, "job"), /*group_dead=*/true));
    fixture.procfs.erase(pid);
  }
  const std::vector<task_record> keeper{task(100, 100, 5000, 1000, "keeper")};
  std::size_t kept_until = 0;
  for (int scan = 0; scan < 12; ++scan) {
    fixture.scan(keeper);
    const auto groups = fixture.table.collect_groups();
    if (groups.size() > 1) {
      kept_until = static_cast<std::size_t>(scan);
      // While they are kept, their final counters are exported whole.
      for (const GroupTotals& group : groups)
        if (group.name != "keeper-100") EXPECT_EQ(group.counters.runtime_ns, 20u) << group.name;
    }
  }
  EXPECT_GE(kept_until, 4u) << "kept for at least the retention";
  EXPECT_LE(kept_until, 8u) << "gone soon after: forgotten two scans after the exit, then 5 more";
  const auto after = fixture.table.collect_groups();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].name, "keeper-100");
  EXPECT_EQ(fixture.table.retired_groups(), 50u);
}

// nginx's group broken down by thread name, every other program in a group of its comm.
const char* const kWebThreads =
    "process_names:\n"
    "  - {name: web, comm: [nginx], threads: true}\n"
    "  - {name: '{{.Comm}}', cmdline: ['.+']}\n";

// threads: true breaks down that rule's groups by thread name, and only those.
TEST(ProcessTable, ARulesThreadsKeyBreaksDownItsGroupsByThreadName) {
  Fixture fixture(kWebThreads);
  fixture.live(100, 1'000, "nginx", {"nginx"});
  fixture.live(200, 2'000, "cron", {"cron"});
  fixture.scan({task(100, 100, 1'000, 40, "nginx"), task(101, 100, 1'000, 60, "cache loader"),
                task(102, 100, 1'000, 20, "cache loader"), task(200, 200, 2'000, 10, "cron"),
                task(201, 200, 2'000, 10, "cron worker")});
  const GroupTotals web = fixture.group("web");
  ASSERT_EQ(web.thread_names.size(), 2u);
  EXPECT_EQ(web.thread_names[0].name, "cache loader");
  EXPECT_EQ(web.thread_names[0].live_threads, 2u);
  EXPECT_EQ(web.thread_names[0].counters.runtime_ns, 80u);
  EXPECT_EQ(web.thread_names[1].name, "nginx");
  EXPECT_TRUE(fixture.group("cron").thread_names.empty()) << "its rule did not ask";
}

// The table at --process.max-tracked: a new process is refused and counted once, whether the
// iterator or an event shows it, and what was tracked before keeps counting.
TEST(ProcessTable, AtItsLimitNewProcessesAreRefusedAndCountedOnce) {
  Fixture fixture(kByComm, GroupLimits{.max_tracked_processes = 2});
  fixture.live(100, 5000, "nginx", {"nginx"});
  fixture.live(101, 5001, "redis", {"redis"});
  fixture.live(102, 5002, "burn", {"burn"});
  const std::vector<task_record> three{task(100, 100, 5000, 1000, "nginx"), task(101, 101, 5001, 1000, "redis"),
                                       task(102, 102, 5002, 1000, "burn")};
  fixture.scan(three);
  fixture.scan(three);
  EXPECT_EQ(fixture.table.tracked_processes(), 2u);
  EXPECT_EQ(fixture.table.processes_dropped(), 1u) << "seen in two scans, counted once";
  EXPECT_EQ(fixture.group("burn").name, "") << "a refused process makes no group";

  // A new process at the limit, by its events: counted, and none of its events takes room.
  const task_record child = task(103, 103, 6000, 500, "burn", 100);
  fixture.table.on_fork(fork_of({103, 6000}, {100, 5000}, "nginx"));
  fixture.table.on_exec(exec_of(child, "/usr/bin/burn", {"burn"}));
  fixture.table.on_exit(exit_of(task(104, 103, 6000, 100, "burn"), /*last_thread=*/false));
  fixture.table.on_exit(exit_of(child, /*last_thread=*/true));
  EXPECT_EQ(fixture.table.processes_dropped(), 2u);
  EXPECT_EQ(fixture.table.tracked_processes(), 2u);
  // The iterator read before that exit was drained still holds the child: not a new refusal.
  fixture.scan({task(100, 100, 5000, 2000, "nginx"), task(101, 101, 5001, 1000, "redis"),
                task(102, 102, 5002, 1500, "burn"), child});
  EXPECT_EQ(fixture.table.processes_dropped(), 2u);

  // What is tracked keeps counting, up to its exit.
  fixture.scan({task(100, 100, 5000, 3000, "nginx"), task(101, 101, 5001, 1000, "redis"),
                task(102, 102, 5002, 2000, "burn")});
  EXPECT_EQ(fixture.group("nginx").counters.runtime_ns, 3000u);
  fixture.table.on_exit(exit_of(task(101, 101, 5001, 1200, "redis"), /*last_thread=*/true));
  EXPECT_EQ(fixture.group("redis").counters.runtime_ns, 1200u);
  EXPECT_EQ(fixture.table.processes_dropped(), 2u);
}

// What remembers the refused processes holds only those that may still show up: a storm of
// short-lived processes at the limit leaves nothing behind, nor does one gone without an exit.
TEST(ProcessTable, RefusedProcessesAreNotRememberedOnceGone) {
  Fixture fixture(kByComm, GroupLimits{.max_tracked_processes = 1});
  fixture.live(100, 5000, "make", {"make"});
  fixture.scan({task(100, 100, 5000, 1000, "make")});
  for (std::uint32_t pid = 200; pid < 1200; ++pid) {
    fixture.table.on_fork(fork_of({pid, pid * 10ull}, {100, 5000}));
    fixture.table.on_exit(exit_of(task(pid, pid, pid * 10ull, 100, "cc", 100), /*last_thread=*/true));
  }
  fixture.table.on_fork(fork_of({300, 9'999'999}, {100, 5000}));  // lives on, then vanishes unseen
  EXPECT_EQ(fixture.table.processes_dropped(), 1001u);
  const task_record survivor = task(300, 300, 9'999'999, 100, "cc", 100);
  for (int scan = 0; scan < 3; ++scan) fixture.scan({task(100, 100, 5000, 1000, "make"), survivor});
  EXPECT_EQ(fixture.table.refused_remembered(), 1u) << "only the live one";
  EXPECT_EQ(fixture.table.processes_dropped(), 1001u);
  for (int scan = 0; scan < 2; ++scan) fixture.scan({task(100, 100, 5000, 1000, "make")});
  EXPECT_EQ(fixture.table.refused_remembered(), 0u) << "gone without an exit event: forgotten by full scans";
}

TEST(ProcessTable, RoomLeftByAForgottenProcessTakesARefusedOne) {
  Fixture fixture(kByComm, GroupLimits{.max_tracked_processes = 1});
  fixture.live(100, 5000, "make", {"make"});
  fixture.live(101, 5001, "burn", {"burn"});
  fixture.scan({task(100, 100, 5000, 1000, "make"), task(101, 101, 5001, 700, "burn")});
  EXPECT_EQ(fixture.table.processes_dropped(), 1u);
  fixture.table.on_exit(exit_of(task(100, 100, 5000, 1500, "make"), /*last_thread=*/true));
  fixture.procfs.erase(100);
  for (int scan = 0; scan < 4; ++scan) fixture.scan({task(101, 101, 5001, 900, "burn")});
  EXPECT_EQ(fixture.table.tracked_processes(), 1u);
  EXPECT_EQ(fixture.group("burn").counters.runtime_ns, 900u) << "tracked once there was room, with all it used";
  EXPECT_EQ(fixture.group("make").counters.runtime_ns, 1500u) << "the exited process's group keeps its CPU";
  EXPECT_EQ(fixture.table.processes_dropped(), 1u);
}

// A reload (ProcessTable::reconfigure): a group the new rules still name keeps its counters and
// members; a group they rename starts from zero under its new name, and the old one keeps what
// its members used under it until the retention retires it.
TEST(ProcessTable, AReloadKeepsTheCountersOfGroupsItStillNamesAndRenamedGroupsStartFromZero) {
  Fixture fixture("process_names:\n"
                  "  - {name: web, comm: [nginx]}\n"
                  "  - {name: db, comm: [postgres]}\n",
                  /*retention=*/5);
  fixture.live(100, 1'000, "nginx", {"nginx"});
  fixture.live(200, 2'000, "postgres", {"postgres"});
  fixture.scan({task(100, 100, 1'000, 1'000, "nginx"), task(200, 200, 2'000, 500, "postgres")});
  ASSERT_EQ(fixture.group("web").counters.runtime_ns, 1'000u);
  ASSERT_EQ(fixture.group("db").counters.runtime_ns, 500u);

  fixture.table.reconfigure(parse_config("process_names:\n"
                                         "  - {name: frontend, comm: [nginx]}\n"
                                         "  - {name: db, comm: [postgres]}\n",
                                         "reloaded")
                                .value());
  // At once, before any scan: the processes are in their new groups, past CPU where it was used.
  GroupTotals db = fixture.group("db");
  EXPECT_EQ(db.counters.runtime_ns, 500u) << "a group whose name did not change keeps its counters";
  EXPECT_EQ(db.counters.voluntary_switches, 50u);
  EXPECT_EQ(db.processes, 1u);
  GroupTotals frontend = fixture.group("frontend");
  EXPECT_EQ(frontend.name, "frontend");
  EXPECT_EQ(frontend.counters.runtime_ns, 0u) << "a renamed group starts from zero";
  EXPECT_EQ(frontend.processes, 1u);
  GroupTotals web = fixture.group("web");
  EXPECT_EQ(web.counters.runtime_ns, 1'000u) << "the CPU used under the old name stays with it";
  EXPECT_EQ(web.processes, 0u);

  fixture.scan({task(100, 100, 1'000, 1'300, "nginx"), task(200, 200, 2'000, 700, "postgres")});
  EXPECT_EQ(fixture.group("db").counters.runtime_ns, 700u);
  EXPECT_EQ(fixture.group("frontend").counters.runtime_ns, 300u);
  EXPECT_EQ(fixture.group("web").counters.runtime_ns, 1'000u);

  const std::vector<task_record> both{task(100, 100, 1'000, 1'300, "nginx"), task(200, 200, 2'000, 700, "postgres")};
  for (int scan = 0; scan < 8; ++scan) {
    fixture.scan(both);
    (void)fixture.table.collect_groups();
  }
  std::vector<std::string> names;
  for (const GroupTotals& group : fixture.table.collect_groups()) names.push_back(group.name);
  EXPECT_EQ(names, (std::vector<std::string>{"db", "frontend"})) << "the old group is retired";
  EXPECT_EQ(fixture.table.retired_groups(), 1u);
  EXPECT_EQ(fixture.group("db").counters.runtime_ns, 700u);
}

// New rules that need more of an identity than the old ones (a user name) wait for it, and then
// count everything used since the reload.
TEST(ProcessTable, AReloadWhoseRulesNeedUserNamesGroupsOnceTheNamesAreIn) {
  Fixture fixture(kByComm);
  fixture.live(100, 1'000, "cron", {"cron"});
  fixture.scan({task(100, 100, 1'000, 100, "cron")});
  ASSERT_EQ(fixture.group("cron").counters.runtime_ns, 100u);

  fixture.table.reconfigure(parse_config("process_names: [{name: '{{.Username}}', cmdline: ['.+']}]\n", "reloaded").value());
  EXPECT_EQ(fixture.group("cron").processes, 0u);
  EXPECT_EQ(fixture.group("cron").counters.runtime_ns, 100u);

  fixture.scan({task(100, 100, 1'000, 160, "cron")});
  const GroupTotals user = fixture.group("user0");
  EXPECT_EQ(user.processes, 1u);
  EXPECT_EQ(user.counters.runtime_ns, 60u) << "what it used since the reload, once";
}

// Rules are applied to a parent and its children alike: a child that no rule matches follows its
// parent into the parent's new group.
TEST(ProcessTable, AReloadRegroupsChildrenWithTheirParent) {
  Fixture fixture("process_names: [{name: ci, comm: [runner]}]\n");
  fixture.live(50, 100, "runner", {"runner"});
  fixture.live(60, 200, "bash", {"bash", "build.sh"});
  fixture.scan({task(50, 50, 100, 10, "runner"), task(60, 60, 200, 20, "bash", 50)});
  ASSERT_EQ(fixture.group("ci").processes, 2u);

  fixture.table.reconfigure(parse_config("process_names: [{name: builds, comm: [runner]}]\n", "reloaded").value());
  EXPECT_EQ(fixture.group("builds").processes, 2u);
  EXPECT_EQ(fixture.group("ci").processes, 0u);
  EXPECT_EQ(fixture.group("ci").counters.runtime_ns, 30u);
}

// A reload can turn a rule's thread breakdown on and another's off.
TEST(ProcessTable, AReloadMovesTheThreadBreakdownToTheRulesThatAskForIt) {
  Fixture fixture(kWebThreads);
  fixture.live(100, 1'000, "nginx", {"nginx"});
  fixture.live(200, 2'000, "cron", {"cron"});
  const std::vector<task_record> records{task(100, 100, 1'000, 40, "nginx"), task(200, 200, 2'000, 10, "cron"),
                                         task(201, 200, 2'000, 10, "cron worker")};
  fixture.scan(records);
  ASSERT_FALSE(fixture.group("web").thread_names.empty());

  fixture.table.reconfigure(parse_config("process_names:\n"
                                         "  - {name: web, comm: [nginx]}\n"
                                         "  - {name: '{{.Comm}}', cmdline: ['.+'], threads: true}\n",
                                         "reloaded")
                                .value());
  fixture.scan(records);
  EXPECT_TRUE(fixture.group("web").thread_names.empty());
  EXPECT_EQ(fixture.group("cron").thread_names.size(), 2u);
}

// Found by the event_record fuzzer: a start time from a kernel record that, added to the boot
// time, passes int64 nanoseconds overflowed a signed addition (undefined). It now clamps to the
// last instant int64 nanoseconds hold.
TEST(ProcessTable, StartTimeBeyondInt64IsClamped) {
  constexpr std::int64_t kBootTime = 1'795'309'369;
  ProcessTable table(parse_config("process_names: [{name: '{{.StartTime}}', cmdline: ['.+']}]\n", "test").value(), {},
                     kBootTime);
  constexpr std::uint64_t kLateStart = 9'000'000'000'000'000'000ull;  // 285 years after boot
  table.begin_scan(1);
  table.observe_task(task(50, 50, kLateStart, 1000, "late"));
  IdentityReplies replies;
  for (const ProcessKey& key : table.end_scan().processes) {
    ProcessIdentity identity;
    identity.pid = static_cast<int>(key.pid);
    identity.comm = "late";
    identity.argv = {"late"};
    identity.start_time_ns = key.start_ns;
    replies.identities.emplace_back(key, identity);
  }
  table.apply_identities(std::move(replies));
  const std::vector<GroupTotals> groups = table.collect_groups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].name, "2262-04-11 23:47:16.854775807 +0000 UTC");
}

}  // namespace
}  // namespace bpfproc
