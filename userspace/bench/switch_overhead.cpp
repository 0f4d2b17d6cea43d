#include "bpfproc/bench/switch_overhead.h"

#include <bpf/bpf.h>

#include <memory>

#include <spdlog/spdlog.h>

#include "bpfproc/kernel/bpf_collector.h"
#include "bpfproc/util/child_process.h"
#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/util/interruptible_wait.h"
#include "bpfproc/bench/pingpong.h"
#include "bpfproc/kernel/switch_floor.h"

namespace bpfproc {
namespace {

// Processes the statistics run starts, so that handle_fork and handle_exec have runs to divide:
// enough for a stable mean, few enough to take well under a second.
constexpr int kStatisticsProcesses = 20;

// Loading, attaching and detaching leave deferred work behind (RCU callbacks that free the old
// tracepoint probes and programs, kworkers): a pause lets it finish before the clock starts, so
// that it is charged to neither run. 50 ms is many RCU grace periods on an idle host.
constexpr std::chrono::milliseconds kSettle{50};

const char* key_of(SwitchPrograms programs) {
  switch (programs) {
    case SwitchPrograms::default_collectors: return "default_collectors";
    case SwitchPrograms::runqueue_latency_on: return "runqueue_latency_on";
    case SwitchPrograms::floor: return "floor";
  }
  return "";
}

const char* description_of(SwitchPrograms programs) {
  switch (programs) {
    case SwitchPrograms::default_collectors: return "bpfproc, default collectors";
    case SwitchPrograms::runqueue_latency_on: return "bpfproc, run-queue latency on";
    case SwitchPrograms::floor: return "empty sched_switch program (floor)";
  }
  return "";
}

// The programs of one kind, attached while this object lives.
class AttachedPrograms {
 public:
  static Result<AttachedPrograms> attach(SwitchPrograms programs) {
    AttachedPrograms attached;
    if (programs == SwitchPrograms::floor) {
      auto floor = SwitchFloor::open();
      if (!floor) return floor.error();
      attached.floor_ = std::move(*floor);
    } else {
      BpfOptions options;
      options.runqueue_latency = programs == SwitchPrograms::runqueue_latency_on;
      auto collector = BpfCollector::open(options);
      if (!collector) return collector.error();
      attached.collector_ = std::move(*collector);
    }
    return attached;
  }

  std::vector<ProgramStats> program_stats() const {
    return collector_ ? collector_->program_stats() : floor_->program_stats();
  }
  // Runs the task iterator once, so that its program has runs too.
  void read_tasks() {
    if (collector_) (void)collector_->read_tasks(BpfCollector::TaskPass::full);
  }

 private:
  std::unique_ptr<BpfCollector> collector_;
  std::unique_ptr<SwitchFloor> floor_;
};

// Keeps the kernel's run-time statistics on while it lives. They cost every BPF program on the
// host about 20 ns per run, so they are never on during a timed run.
Result<FileDescriptor> enable_run_time_statistics() {
  const int descriptor = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (descriptor < 0) return Error{"cannot enable BPF run-time statistics (BPF_ENABLE_STATS)", "bpf", -descriptor};
  return FileDescriptor(descriptor);
}

struct AttachedRun {
  PingPongRun run;
  // Our programs counted runs although this bench had not enabled statistics: another process
  // holds BPF_ENABLE_STATS, so the attached run also paid for the statistics.
  bool statistics_on_elsewhere = false;
};

// Runs the ping-pong with the programs attached; attaching and detaching stay outside the clock.
Result<AttachedRun> attached_run(SwitchPrograms programs, const SwitchOverheadOptions& options) {
  auto attached = AttachedPrograms::attach(programs);
  if (!attached) return attached.error();
  if (!sleep_unless_stopped(kSettle)) return Error{"interrupted", "ping-pong"};
  auto run = run_pingpong(options.cpu, options.round_trips);
  if (!run) return run.error();
  AttachedRun result{*run, false};
  for (const ProgramStats& program : attached->program_stats())
    result.statistics_on_elsewhere = result.statistics_on_elsewhere || program.runs > 0;
  return result;
}

Result<std::vector<ProgramStats>> statistics_run(SwitchPrograms programs, const SwitchOverheadOptions& options) {
  auto attached = AttachedPrograms::attach(programs);
  if (!attached) return attached.error();
  auto statistics = enable_run_time_statistics();
  if (!statistics) return statistics.error();
  auto run = run_pingpong(options.cpu, options.round_trips);
  if (!run) return run.error();
  if (programs != SwitchPrograms::floor) {
    auto churn = ChildProcess::spawn(
        {options.churn_path, std::to_string(kStatisticsProcesses), "1", options.burn_path}, {});
    if (!churn) return churn.error();
    auto exit = churn->wait(std::chrono::seconds(60));
    if (!exit) return exit.error();
    attached->read_tasks();
  }
  return attached->program_stats();
}

}  // namespace

Result<SwitchOverhead> measure_switch_overhead(SwitchPrograms programs, const SwitchOverheadOptions& options) {
  SwitchOverhead overhead;
  overhead.key = key_of(programs);
  overhead.description = description_of(programs);
  for (unsigned pair = 0; pair < options.pairs; ++pair) {
    spdlog::info("bench: context switches, {}: pair {}/{}", overhead.description, pair + 1, options.pairs);
    auto attached = attached_run(programs, options);
    if (!attached) return attached.error();
    if (!sleep_unless_stopped(kSettle)) return Error{"interrupted", "ping-pong"};
    auto detached = run_pingpong(options.cpu, options.round_trips);
    if (!detached) return detached.error();
    overhead.pairs.push_back({attached->run, *detached});
    overhead.statistics_on_elsewhere = overhead.statistics_on_elsewhere || attached->statistics_on_elsewhere;
  }
  spdlog::info("bench: context switches, {}: run-time statistics", overhead.description);
  auto programs_stats = statistics_run(programs, options);
  if (!programs_stats) return programs_stats.error();
  overhead.programs = std::move(*programs_stats);
  return overhead;
}

}  // namespace bpfproc
