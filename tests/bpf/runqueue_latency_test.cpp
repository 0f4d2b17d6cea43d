// Run-queue latency histograms against the real scheduler.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include <bpf/bpf.h>

#include "bpf_test_support.h"
#include "bpfproc/kernel/bpf_collector.h"
#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/accounting/latency_quantile.h"

namespace bpfproc::testing {
namespace {

int last_cpu() { return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)) - 1; }

GroupTotals group_or_empty(const std::vector<GroupTotals>& groups, const std::string& name) {
  const GroupTotals* group = find_group(groups, name);
  return group == nullptr ? GroupTotals{} : *group;
}

// Upper bound of the bucket holding the q-quantile of the waits (+Inf for the overflow slot).
double quantile_bound_seconds(const RunqueueLatency& latency, double q) {
  const std::uint64_t bound = latency_quantile_upper_bound_ns(latency, q, UINT64_MAX);
  return bound == UINT64_MAX ? INFINITY : static_cast<double>(bound) / 1e9;
}

std::uint64_t waits_lost(ProcessTracker& monitor) {
  const auto lost = monitor.events_lost();
  return lost.at("task_storage") + lost.at("program_recursion");
}

void report(const char* what, const Counters& counters) {
  const RunqueueLatency& latency = counters.runqueue_latency;
  std::printf("measured: %s: %llu waits, mean %.1f us, p50 <= %.1f us, p99 <= %.1f us; "
              "histogram sum %.3f ms, run_delay %.3f ms\n",
              what, static_cast<unsigned long long>(latency.count()),
              latency.count() ? static_cast<double>(latency.sum_ns) / static_cast<double>(latency.count()) / 1e3 : 0.0,
              quantile_bound_seconds(latency, 0.5) * 1e6, quantile_bound_seconds(latency, 0.99) * 1e6,
              static_cast<double>(latency.sum_ns) / 1e6, static_cast<double>(counters.run_delay_ns) / 1e6);
}

// The histogram's sum and sched_info.run_delay measure the same waits: the BPF program reads the
// kernel's own start of each wait (sched_info.last_queued) at the sched_switch tracepoint, just
// before sched_info_arrive adds the same difference of the same run-queue clock to run_delay. So on
// pinned tasks they agree to the nanosecond. What can still differ: a queued task that migrates
// (the kernel adds the part before the move to run_delay at dequeue; the program sees the rest),
// and, on a machine where many other BPF tracers attach and detach at once, an occasional wait
// that run_delay has and the histogram lacks, with no loss counted (cause not established; seen
// with the earlier wakeup-stamp design: up to 4 of ~450 per thread, ~1%; with this one, at load
// average 100+, one wait of up to ~10 ms in some runs, which fails the check for a process whose
// waits are tiny; at low load every run here agreed to the nanosecond). 2% plus 2 µs per wait covers the rest;
// counting sleeps as waits, or waits twice, would be far outside it.
// Waits lost in the kernel can only make the sum smaller; they are counted, and when there were
// some, only that direction is checked. `unswitched_ns` is run_delay the kernel adds with no
// switch-in at all (see the test of a napping process), which only makes run_delay larger.
void expect_sum_matches_run_delay(const Counters& counters, std::uint64_t waits_lost, double unswitched_ns = 0) {
  const double per_wait_ns = 2'000;
  const double sum = static_cast<double>(counters.runqueue_latency.sum_ns);
  const double run_delay = static_cast<double>(counters.run_delay_ns);
  const double tolerance = 0.02 * run_delay + per_wait_ns * static_cast<double>(counters.runqueue_latency.count());
  if (waits_lost > 0) {
    std::printf("measured: %llu waits lost (counted in bpfproc_exporter_events_lost_total)\n",
                static_cast<unsigned long long>(waits_lost));
    EXPECT_LE(sum, run_delay + tolerance) << "histogram sum " << sum << " ns vs run_delay " << run_delay << " ns";
    return;
  }
  EXPECT_LE(sum, run_delay + tolerance) << "histogram sum " << sum << " ns vs run_delay " << run_delay << " ns";
  EXPECT_LE(run_delay - sum, tolerance + unswitched_ns)
      << "histogram sum " << sum << " ns vs run_delay " << run_delay << " ns";
}

TEST(RunqueueLatency, TwoBusyProcessesOnOneCpuWaitAboutOneSliceEach) {
  REQUIRE_BPF_OR_SKIP();
  const std::string burn = tool_as("burn", "rqpair");
  auto monitor = start_monitor("process_names: [{name: pair, comm: [" + comm_of_tool(burn) + "]}]\n");
  const GroupTotals before = group_or_empty(monitor->collect_groups(), "pair");
  const std::uint64_t lost_before = waits_lost(*monitor);

  // Each burns 600 ms of CPU; sharing one CPU, each waits while the other runs.
  const auto started = std::chrono::steady_clock::now();
  Child first = Child::spawn({burn, "600"}, last_cpu());
  Child second = Child::spawn({burn, "600"}, last_cpu());
  usleep(500'000);
  const GroupTotals alive = group_or_empty(monitor->collect_groups(), "pair");
  ASSERT_EQ(first.finish(), 0);
  ASSERT_EQ(second.finish(), 0);
  const double wall_ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - started).count();
  const GroupTotals exited = group_or_empty(collect_until_exits(*monitor, "pair", before.exits + 2), "pair");
  ASSERT_EQ(exited.exits - before.exits, 2u);

  const Counters while_alive = alive.counters - before.counters;
  const Counters total = exited.counters - before.counters;
  report("two busy processes on one CPU, alive", while_alive);
  report("two busy processes on one CPU, exited", total);

  // Exited processes' histograms fold into the group: nothing is lost at exit.
  for (std::size_t slot = 0; slot < RunqueueLatency::kSlots; ++slot)
    EXPECT_GE(exited.counters.runqueue_latency.slots[slot], alive.counters.runqueue_latency.slots[slot]);

  // "On the order of the slice": the kernel's own mean time per run (runtime / timeslices) is
  // what one process waits while the other runs. Other load on the CPU can only lengthen waits,
  // but two processes cannot wait longer in total than twice the time they existed.
  const double mean_wait = static_cast<double>(total.runqueue_latency.sum_ns) / static_cast<double>(total.runqueue_latency.count());
  const double mean_run = static_cast<double>(total.runtime_ns) / static_cast<double>(total.timeslices);
  std::printf("measured: mean wait %.0f us, mean run per timeslice %.0f us\n", mean_wait / 1e3, mean_run / 1e3);
  EXPECT_GT(mean_wait, 0.5 * mean_run);
  EXPECT_LT(static_cast<double>(total.runqueue_latency.sum_ns), 2 * wall_ns);
  const double median = quantile_bound_seconds(total.runqueue_latency, 0.5);
  EXPECT_GE(median, 256e-6) << "waits of a busy pair are a slice, not a wakeup";
  EXPECT_LE(median, 33e-3);

  expect_sum_matches_run_delay(while_alive, waits_lost(*monitor) - lost_before);
  expect_sum_matches_run_delay(total, waits_lost(*monitor) - lost_before);
}

TEST(RunqueueLatency, ProcessAloneOnItsCpuWakesUpInTheLowestBuckets) {
  REQUIRE_BPF_OR_SKIP();
  const std::string naps_tool = tool_as("naps", "rqnaps");
  auto monitor = start_monitor("process_names: [{name: naps, comm: [" + comm_of_tool(naps_tool) + "]}]\n");
  const GroupTotals before = group_or_empty(monitor->collect_groups(), "naps");
  const std::uint64_t lost_before = waits_lost(*monitor);

  const int naps_count = 400;
  const double nap_ns = 1e6;
  Child naps = Child::spawn({naps_tool, std::to_string(naps_count), "1000"}, last_cpu());
  ASSERT_EQ(naps.finish(), 0);
  const Counters total = group_or_empty(monitor->collect_groups(), "naps").counters - before.counters;
  report("one process waking 400 times on its own CPU", total);

  // One wait per wakeup (400 naps, plus the first run after fork), plus one per preemption by
  // another task; minus wakeups where the timer fired before naps had left its CPU, which never
  // waited and have no switch-in.
  const std::uint64_t lost = waits_lost(*monitor) - lost_before;
  EXPECT_GE(total.runqueue_latency.count() + lost, naps_count - 10u);
  EXPECT_LE(total.runqueue_latency.count(), naps_count + 1u + total.involuntary_switches);
  // Waking on an idle CPU costs microseconds (and the woken task preempts the idle task at once,
  // so the scheduler does not even advance its clock in between). This machine is shared, so a
  // few wakeups may find the CPU busy; the median must still be in the lowest buckets.
  EXPECT_LE(quantile_bound_seconds(total.runqueue_latency, 0.5), 32.768e-6);
  // Measured on 6.18 (8 runs): when 400 switch-ins were seen, sum and run_delay agreed to the
  // nanosecond; in each run with k fewer (k = 5..12, 3 runs of 8), run_delay was larger by 0.4 to
  // 1 ms per missing switch-in, less than one nap cycle each. Our reading of sched_info (not
  // checked with a probe): wakeups with no switch-in leave the queue stamp (last_queued) set
  // while the task keeps running, and it is added to run_delay at the next dequeue, with no wait
  // behind it. The histogram sees only switch-ins; at most one nap cycle per missing one is
  // allowed for, and never more histogram than run_delay.
  // Expected switch-ins: one per nap and one per preemption.
  const std::uint64_t expected = naps_count + total.involuntary_switches;
  const std::uint64_t seen = total.runqueue_latency.count() + lost;
  const double unswitched = seen < expected ? static_cast<double>(expected - seen) : 0.0;
  if (unswitched > 0) std::printf("measured: %.0f wakeups without a switch-in\n", unswitched);
  expect_sum_matches_run_delay(total, lost, unswitched * 1.2 * nap_ns);
}

// The tracepoints that the given programs are attached to, by program name: every link in the
// kernel whose program is one of them. tp_btf programs attach as raw tracepoint links, which name
// their tracepoint. Programs of other collectors on the host are not counted.
std::map<std::string, std::set<std::string>> attached_tracepoints(const std::vector<ProgramStats>& programs) {
  std::map<std::uint32_t, std::string> name_of;
  for (const ProgramStats& program : programs) name_of[program.id] = program.name;
  std::map<std::string, std::set<std::string>> attached;
  std::uint32_t id = 0;
  while (bpf_link_get_next_id(id, &id) == 0) {
    const FileDescriptor link(bpf_link_get_fd_by_id(id));
    if (!link) continue;  // gone meanwhile
    char tracepoint[128] = "";
    bpf_link_info info{};
    info.raw_tracepoint.tp_name = reinterpret_cast<std::uintptr_t>(tracepoint);
    info.raw_tracepoint.tp_name_len = sizeof(tracepoint);
    std::uint32_t length = sizeof(info);
    if (bpf_obj_get_info_by_fd(link.get(), &info, &length) != 0) continue;
    const auto program = name_of.find(info.prog_id);
    if (program == name_of.end()) continue;
    // Any other kind of link (the task iterator's) is listed by its type, so none goes unseen.
    const std::string target = info.type == BPF_LINK_TYPE_RAW_TRACEPOINT
                                   ? std::string(tracepoint)
                                   : "link type " + std::to_string(info.type);
    attached[target].insert(program->second);
  }
  return attached;
}

TEST(RunqueueLatency, OffAttachesNoProgramToTheSwitchOrWakeupTracepoints) {
  REQUIRE_BPF_OR_SKIP();
  auto on = BpfCollector::open(BpfOptions{.include_kernel_threads = false, .runqueue_latency = true});
  ASSERT_TRUE(on) << on.error().message();
  auto off = BpfCollector::open(BpfOptions{.include_kernel_threads = false, .runqueue_latency = false});
  ASSERT_TRUE(off) << off.error().message();

  // The controls: the enumeration does see the one latency program when it is on, and the
  // lifecycle object's links either way.
  auto on_attached = attached_tracepoints((*on)->program_stats());
  EXPECT_TRUE(on_attached["sched_switch"].count("record_runqueue_wait"));
  EXPECT_TRUE(on_attached["sched_process_fork"].count("handle_fork"));
  EXPECT_TRUE(on_attached["sched_wakeup"].empty());
  EXPECT_TRUE(on_attached["sched_wakeup_new"].empty());

  auto off_attached = attached_tracepoints((*off)->program_stats());
  EXPECT_TRUE(off_attached["sched_process_fork"].count("handle_fork"));
  EXPECT_TRUE(off_attached["sched_wakeup"].empty());
  EXPECT_TRUE(off_attached["sched_wakeup_new"].empty());
  // Exits come from sched_process_exit and free: nothing of bpfproc runs per context switch.
  EXPECT_TRUE(off_attached["sched_switch"].empty()) << "a program is attached to sched_switch with run-queue latency off";
  EXPECT_TRUE(off_attached["sched_process_exit"].count("handle_exit"));
  for (const ProgramStats& program : (*off)->program_stats())
    EXPECT_TRUE(!program.name.starts_with("handle_wakeup") && program.name != "record_runqueue_wait")
        << program.name << " is loaded with run-queue latency off";
}

TEST(RunqueueLatency, OffRecordsNoWaitsWhileRunDelayStillCounts) {
  REQUIRE_BPF_OR_SKIP();
  const std::string burn = tool_as("burn", "rqoff");
  auto monitor = start_monitor("process_names: [{name: pair, comm: [" + comm_of_tool(burn) + "]}]\n",
                               /*runqueue_latency=*/false);
  const GroupTotals before = group_or_empty(monitor->collect_groups(), "pair");
  Child first = Child::spawn({burn, "200"}, last_cpu());
  Child second = Child::spawn({burn, "200"}, last_cpu());
  ASSERT_EQ(first.finish(), 0);
  ASSERT_EQ(second.finish(), 0);
  const Counters total = group_or_empty(monitor->collect_groups(), "pair").counters - before.counters;
  EXPECT_GT(total.run_delay_ns, 10'000'000u) << "two busy processes on one CPU wait for each other";
  EXPECT_EQ(total.runqueue_latency.count(), 0u);
  EXPECT_EQ(total.runqueue_latency.sum_ns, 0u);
}

// Exit and exec records are ring buffer reservations, which hold whatever earlier events left
// there once the 2 MiB buffer has wrapped. With run-queue latency off no task has a histogram, so
// the records' must be written as zeros, not left as they are: found by tools/soak, where such
// leftovers (text of earlier exec events) summed past 2^64 and the group's histogram went down.
// 2,500 exec'ing processes send ~5 MB of events: the buffer wraps twice.
TEST(RunqueueLatency, OffRecordsNoWaitsAfterTheEventBufferWraps) {
  REQUIRE_BPF_OR_SKIP();
  constexpr std::uint64_t kProcesses = 2500;
  const std::string burn = tool_as("burn", "rqwrap");
  auto monitor = start_monitor("process_names: [{name: wrap, comm: [" + comm_of_tool(burn) + "]}]\n",
                               /*runqueue_latency=*/false);
  Child churn = Child::spawn({tool("churn"), std::to_string(kProcesses), "1", burn});
  ASSERT_EQ(churn.finish(), 0);
  const GroupTotals wrap = group_or_empty(collect_until_exits(*monitor, "wrap", kProcesses), "wrap");
  ASSERT_EQ(wrap.exits, kProcesses);
  EXPECT_EQ(wrap.counters.runqueue_latency.count(), 0u);
  EXPECT_EQ(wrap.counters.runqueue_latency.sum_ns, 0u);
  EXPECT_FALSE(wrap.counters.runqueue_latency.slots.allocated()) << "a histogram of zeros costs memory per process";
}

}  // namespace
}  // namespace bpfproc::testing
