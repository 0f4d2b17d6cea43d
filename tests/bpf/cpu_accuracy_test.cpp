// Exact CPU accounting against the kernel's own clocks, with the real BPF programs.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include <bpf/btf.h>

#include "bpf_test_support.h"

namespace bpfproc::testing {
namespace {


TEST(CpuAccuracy, BusyProcessMatchesItsOwnCpuClockWithinHalfPercent) {
  REQUIRE_BPF_OR_SKIP();
  const std::string burn_tool = tool_as("burn", "busy");
  auto monitor = start_monitor("process_names: [{name: busy, comm: [" + comm_of_tool(burn_tool) + "]}]\n");
  const std::uint64_t before = group_runtime_ns(monitor->collect_groups(), "busy");

  // burn reports CLOCK_PROCESS_CPUTIME_ID, then waits, so we read it while it is alive too.
  // After its exit the truth is the kernel's total from getrusage, which includes the exit
  // itself (exit_mm and the rest), as the exit record now does.
  const std::int64_t children_before = children_cpu_ns();
  Child burn = Child::spawn({burn_tool, "-s", "-r", "-p", "400"});
  const double started_ns = std::stod(burn.read_line());
  const double reported_ns = std::stod(burn.read_line());
  const auto live = monitor->collect_groups();
  const std::uint64_t while_alive = group_runtime_ns(live, "busy") - before;
  // The kernel's own count for its one thread (schedstat: sum_exec_runtime, ns) right after the
  // collection: burn may still run a little after its report (stdio, page faults) before it blocks.
  std::ifstream schedstat("/proc/" + std::to_string(burn.pid) + "/schedstat");
  double kernel_ns = 0;
  schedstat >> kernel_ns;
  ASSERT_EQ(burn.finish(), 0);
  const double total_ns = static_cast<double>(children_cpu_ns() - children_before);
  const auto after_exit = collect_until_exits(*monitor, "busy", 1);
  const std::uint64_t after = group_runtime_ns(after_exit, "busy") - before;

  report("busy process, alive", static_cast<double>(while_alive), kernel_ns);
  report("busy process, exited", static_cast<double>(after), total_ns);
  EXPECT_GT(kernel_ns, reported_ns * 0.999) << "schedstat " << kernel_ns << " ns, its own clock " << reported_ns;
  expect_counted_from_exec(static_cast<double>(while_alive), kernel_ns, started_ns, 0.005);
  expect_counted_from_exec(static_cast<double>(after), total_ns, started_ns, 0.005);
  const GroupTotals* group = find_group(after_exit, "busy");
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->counters.user_ns + group->counters.system_ns, group->counters.runtime_ns);
  EXPECT_GT(group->counters.user_ns, group->counters.system_ns) << "a spin loop runs in user mode";
  EXPECT_EQ(group->exits, 1u);
  EXPECT_EQ(group->processes, 0u);
}

TEST(CpuAccuracy, FiveHundredShortLivedProcessesBetweenTwoCollectionsAreAllCounted) {
  REQUIRE_BPF_OR_SKIP();
  // churn and everything it starts form one group: burn matches no rule and joins its parent's.
  const std::string churn_tool = tool_as("churn", "churn");
  auto monitor =
      start_monitor("process_names: [{name: churn, comm: [" + comm_of_tool(churn_tool) + "]}]\nchildren: true\n");
  const std::uint64_t before = group_runtime_ns(monitor->collect_groups(), "churn");
  const std::int64_t children_before = children_cpu_ns();

  Child churn = Child::spawn({churn_tool, "500", "5", tool("burn")});
  const std::string burns_total = churn.read_line();
  ASSERT_EQ(churn.finish(), 0);
  const std::int64_t truth = children_cpu_ns() - children_before;

  const auto groups = collect_until_exits(*monitor, "churn", 501);
  const std::uint64_t exported = group_runtime_ns(groups, "churn") - before;
  report("500 short-lived processes", static_cast<double>(exported), static_cast<double>(truth));
  EXPECT_LT(relative_error(static_cast<double>(exported), static_cast<double>(truth)), 0.01)
      << "exported " << exported << " ns, getrusage(RUSAGE_CHILDREN) says " << truth << " ns";
  EXPECT_GT(std::stoll(burns_total), 500 * 5'000'000LL) << "each burn used at least 5 ms";
  const GroupTotals* group = find_group(groups, "churn");
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->exits, 501u) << "500 burns and churn itself";
}

TEST(CpuAccuracy, ThreadsThatExitKeepTheirCpuInTheProcess) {
  REQUIRE_BPF_OR_SKIP();
  const std::string burn_tool = tool_as("burn", "threads");
  auto monitor = start_monitor("process_names: [{name: threads, comm: [" + comm_of_tool(burn_tool) + "]}]\n");
  const std::uint64_t before = group_runtime_ns(monitor->collect_groups(), "threads");

  // Four threads burn 100 ms each and exit; the process stays until we close its stdin.
  const std::int64_t children_before = children_cpu_ns();
  Child burn = Child::spawn({burn_tool, "-s", "-t", "4", "-r", "-p", "100"});
  const double started_ns = std::stod(burn.read_line());
  const double reported_ns = std::stod(burn.read_line());
  const auto live = monitor->collect_groups();
  const GroupTotals* group = find_group(live, "threads");
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->threads, 1u) << "only the main thread is left";
  EXPECT_EQ(group->processes, 1u);
  const std::uint64_t exported = group->counters.runtime_ns - before;
  report("4 exited threads", static_cast<double>(exported), reported_ns);
  EXPECT_GT(reported_ns, 4 * 100e6);
  expect_counted_from_exec(static_cast<double>(exported), reported_ns, started_ns, 0.005);
  ASSERT_EQ(burn.finish(), 0);

  const double total_ns = static_cast<double>(children_cpu_ns() - children_before);
  const std::uint64_t after_exit = group_runtime_ns(collect_until_exits(*monitor, "threads", 1), "threads") - before;
  EXPECT_GE(after_exit, exported) << "counters never go down";
  report("4 exited threads, process exited", static_cast<double>(after_exit), total_ns);
  expect_counted_from_exec(static_cast<double>(after_exit), total_ns, started_ns, 0.005);
}

TEST(CpuAccuracy, ExecIntoAnotherGroupLeavesEarlierCpuInTheOldGroup) {
  REQUIRE_BPF_OR_SKIP();
  // Two names for burn, so that after the exec its comm (and group) differ.
  const std::string first = tool_as("burn", "xbefore");
  const std::string second = tool_as("burn", "xafter");
  auto monitor = start_monitor("process_names:\n"
                               "  - {name: before, comm: [" + comm_of_tool(first) + "]}\n"
                               "  - {name: after, comm: [" + comm_of_tool(second) + "]}\n");
  const auto initial = monitor->collect_groups();
  const std::uint64_t before_start = group_runtime_ns(initial, "before");
  const std::uint64_t after_start = group_runtime_ns(initial, "after");

  // burn 300 ms, report, exec the second name, which reports at its start and burns 200 ms more.
  // The exec itself lies between those two readings: the kernel runs it in the old image, and
  // the old group counts it up to sched_process_exec. The window is measured, not assumed, since
  // an exec on a loaded machine has taken over 3 ms here. The total is the kernel's, from
  // getrusage once it is reaped: it includes the exit, which the new group rightly counts, and
  // what the spawn ran before the first exec, which stays with the spawner (5 ms here).
  const std::int64_t children_before = children_cpu_ns();
  Child burn = Child::spawn({first, "-s", "-r", "300", "--", second, "-s", "-r", "200"});
  const double started_ns = std::stod(burn.read_line());  // what the spawn ran before the first exec
  const double at_exec_ns = std::stod(burn.read_line());
  const double new_image_ns = std::stod(burn.read_line());
  burn.read_line();  // its own total, before its exit
  ASSERT_EQ(burn.finish(), 0);
  const double total_ns = static_cast<double>(children_cpu_ns() - children_before);
  const auto groups = collect_until_exits(*monitor, "after", 1);

  const double before_ns = static_cast<double>(group_runtime_ns(groups, "before") - before_start);
  const double after_ns = static_cast<double>(group_runtime_ns(groups, "after") - after_start);
  std::printf("measured: exec took %.3f ms of CPU between the two images\n", (new_image_ns - at_exec_ns) / 1e6);
  report("before exec, old group", before_ns, at_exec_ns);
  report("after exec, new group", after_ns, total_ns - at_exec_ns);
  ASSERT_GE(new_image_ns, at_exec_ns);
  EXPECT_GE(before_ns, (at_exec_ns - started_ns) * 0.99) << "old group lost CPU from before the exec";
  EXPECT_LE(before_ns, new_image_ns * 1.01) << "old group took CPU from the new image";
  EXPECT_GE(after_ns, (total_ns - new_image_ns) * 0.99) << "new group lost CPU of its own image";
  EXPECT_LE(after_ns, (total_ns - at_exec_ns) * 1.01) << "new group took CPU from before the exec";
  expect_counted_from_exec(before_ns + after_ns, total_ns, started_ns, 0.005);
  const GroupTotals* after = find_group(groups, "after");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->exits, 1u);
}

// Collections read only the tasks that changed (bpf/task_iter.bpf.c). On a host of 10,000
// sleepers, the table must stay exact for the few that run, and a changes pass must not list the
// sleepers again.
TEST(CpuAccuracy, TenBusyProcessesAmongTenThousandSleepersAreExactAndOnlyTheyAreRead) {
  REQUIRE_BPF_OR_SKIP();
  constexpr int kSleepers = 10'000;
  constexpr int kBusy = 10;
  const std::string swarm_tool = tool_as("swarm", "xsleepers");
  const std::string burn_tool = tool_as("burn", "xbusy");
  Child swarm = Child::spawn({swarm_tool, std::to_string(kSleepers)});
  ASSERT_EQ(swarm.read_line(), "ready " + std::to_string(kSleepers));

  auto monitor = start_monitor("process_names:\n"
                               "  - {name: sleepers, comm: [" + comm_of_tool(swarm_tool) + "]}\n"
                               "  - {name: busy, comm: [" + comm_of_tool(burn_tool) + "]}\n",
                               /*runqueue_latency=*/false);
  const auto initial = monitor->collect_groups();
  const GroupTotals* sleepers = find_group(initial, "sleepers");
  ASSERT_NE(sleepers, nullptr);
  EXPECT_EQ(sleepers->processes, kSleepers + 1u) << "the children and swarm itself";
  const std::uint64_t sleepers_ns = sleepers->counters.runtime_ns;

  // The kernel side alone: a full pass lists every task, a changes pass right after only the few
  // that ran in between (this test's own threads, the monitor's, the machine's daemons).
  BpfOptions options;
  auto collector = BpfCollector::open(options);
  ASSERT_TRUE(collector) << collector.error().message();
  // Where the kernel has the open-coded task iterator (6.7+), changes passes must use the scan.
  btf* vmlinux = btf__load_vmlinux_btf();
  const bool has_iterator = vmlinux != nullptr && btf__find_by_name_kind(vmlinux, "bpf_iter_task_new", BTF_KIND_FUNC) > 0;
  btf__free(vmlinux);
  std::printf("measured: changes passes use %s\n", (*collector)->scans_changed_tasks() ? "the task scan" : "iter/task");
  EXPECT_EQ((*collector)->scans_changed_tasks(), has_iterator);
  auto full = (*collector)->read_tasks(BpfCollector::TaskPass::full);
  ASSERT_TRUE(full);
  const std::size_t full_count = full->size();
  auto changes = (*collector)->read_tasks(BpfCollector::TaskPass::changes);
  ASSERT_TRUE(changes);
  std::printf("measured: a full pass read %zu tasks, a changes pass right after %zu\n", full_count, changes->size());
  EXPECT_GE(full_count, static_cast<std::size_t>(kSleepers));
  EXPECT_LT(changes->size(), 500u);
  // To a collector that never read them, every task is new: a changes pass sends them all, in
  // rounds of what the scan's 256 KiB buffer holds (about 650).
  auto fresh = BpfCollector::open(options);
  ASSERT_TRUE(fresh) << fresh.error().message();
  auto first = (*fresh)->read_tasks(BpfCollector::TaskPass::changes);
  ASSERT_TRUE(first) << first.error().message();
  std::printf("measured: a first changes pass read %zu tasks\n", first->size());
  std::set<std::uint32_t> distinct;
  for (const task_record& record : *first) distinct.insert(record.tid);
  EXPECT_GE(distinct.size(), static_cast<std::size_t>(kSleepers));
  // A task that runs between two rounds is sent again with newer counters (userspace merges
  // them); the sleepers are not.
  EXPECT_LT(first->size() - distinct.size(), 100u);
  // A scan that stops at its task limit hands the rest of the pass to iter/task: nothing lost.
  BpfOptions capped_options;
  capped_options.task_scan_max_tasks = 1'000;
  auto capped = BpfCollector::open(capped_options);
  ASSERT_TRUE(capped) << capped.error().message();
  auto capped_first = (*capped)->read_tasks(BpfCollector::TaskPass::changes);
  ASSERT_TRUE(capped_first) << capped_first.error().message();
  std::set<std::uint32_t> capped_distinct;
  for (const task_record& record : *capped_first) capped_distinct.insert(record.tid);
  std::printf("measured: a first changes pass with the scan capped at 1,000 tasks read %zu tasks\n",
              capped_distinct.size());
  EXPECT_GE(capped_distinct.size(), static_cast<std::size_t>(kSleepers));
  auto capped_next = (*capped)->read_tasks(BpfCollector::TaskPass::changes);
  ASSERT_TRUE(capped_next);
  EXPECT_LT(capped_next->size(), 500u) << "the next pass (iter/task now) sends only what changed";

  const std::int64_t children_before = children_cpu_ns();
  std::vector<Child> busy;
  double started_ns = 0;
  for (int index = 0; index < kBusy; ++index) {
    busy.push_back(Child::spawn({burn_tool, "-s", "150"}));
    started_ns += std::stod(busy.back().read_line());
  }
  for (int index = 0; index < 3; ++index) {
    (void)monitor->collect_groups();  // changes passes while they run
    usleep(50'000);
  }
  for (Child& child : busy) ASSERT_EQ(child.finish(), 0);
  const double truth_ns = static_cast<double>(children_cpu_ns() - children_before);
  const auto groups = collect_until_exits(*monitor, "busy", kBusy);
  const double exported_ns = static_cast<double>(group_runtime_ns(groups, "busy"));
  report("10 busy processes among 10,000 sleepers", exported_ns, truth_ns);
  expect_counted_from_exec(exported_ns, truth_ns, started_ns, 0.005);
  const GroupTotals* after = find_group(groups, "sleepers");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->processes, kSleepers + 1u);
  EXPECT_LT(after->counters.runtime_ns - sleepers_ns, 50'000'000u) << "sleepers barely ran";
  EXPECT_EQ(swarm.finish(), 0);
  // 10,000 exits leave the kernel freeing tasks for a while: not on the next test's clock.
  sleep(1);
}

TEST(Check, AllRequirementsAreMet) {
  REQUIRE_BPF_OR_SKIP();
  FILE* output = popen(BPFPROC_BINARY " check 2>&1", "r");
  ASSERT_NE(output, nullptr);
  std::string text;
  char buffer[256];
  while (fgets(buffer, sizeof(buffer), output) != nullptr) text += buffer;
  const int status = pclose(output);
  EXPECT_EQ(WEXITSTATUS(status), 0) << text;
  EXPECT_EQ(text.find("missing"), std::string::npos) << text;
  EXPECT_NE(text.find("ok       BPF load test"), std::string::npos) << text;
}

TEST(ProcessTable, ExitedProcessesAreForgottenWithoutScrapes) {
  REQUIRE_BPF_OR_SKIP();
  ExporterOptions options;
  options.collectors.config = config_from("process_names: [{name: '{{.Comm}}', cmdline: ['.+']}]\n");
  options.collectors.enabled["memory"] = false;
  options.publisher.interval = std::chrono::milliseconds(200);
  auto opened = Exporter::open(std::move(options));
  ASSERT_TRUE(opened) << opened.error().message();
  Exporter& exporter = **opened;
  exporter.start();
  const auto tracked = [&exporter] { return exporter.publisher().latest()->tracked_processes; };
  const std::uint64_t before = tracked();

  // 300 processes come and go while nobody scrapes; the timer's own collections forget them.
  Child churn = Child::spawn({tool("churn"), "300", "1", tool("burn")});
  churn.read_line();
  ASSERT_EQ(churn.finish(), 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (tracked() > before + 50 && std::chrono::steady_clock::now() < deadline) usleep(100'000);
  EXPECT_LE(tracked(), before + 50) << "before the churn: " << before;
}

}  // namespace
}  // namespace bpfproc::testing
