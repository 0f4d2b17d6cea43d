#include "bpfproc/bench/bench.h"

#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <spdlog/fmt/fmt.h>

#include "bpfproc/bench/bench_report.h"
#include "bpfproc/kernel/check.h"
#include "bpfproc/bench/churn_capture.h"
#include "bpfproc/bench/collection_cost.h"
#include "bpfproc/util/exit_status.h"
#include "bpfproc/util/interruptible_wait.h"
#include "bpfproc/bench/pingpong.h"
#include "bpfproc/bench/process_limits.h"
#include "bpfproc/bench/switch_overhead.h"

namespace bpfproc {
namespace {

// The documented minimum for --check: with fewer pairs one disturbed pair moves the median.
constexpr unsigned kMinimumPairsForCheck = 5;
// CPU each churn child burns: as in the BPF accuracy test (500 × 5 ms), so that hundreds of
// processes start and exit within a second, each living about one scheduler tick (4 ms at
// CONFIG_HZ=250), the case that /proc-polling exporters miss.
constexpr std::uint64_t kChurnBurnMilliseconds = 5;

// Every message of the bench says that it comes from the bench: "bpfproc: bench: ...".
int fail_in_bench(int code, const std::string& message) { return fail(code, "bench: " + message); }

// A failure, or the stop that caused it: then everything has already been stopped by the
// destructors on the way here.
int failed(const Error& error) {
  if (stop_requested()) {
    const int signal_number = stop_signal();
    return fail_in_bench(exit_status_of_signal(signal_number),
                         fmt::format("interrupted by SIG{}; stopped everything it had started",
                                     sigabbrev_np(signal_number)));
  }
  return fail_in_bench(kExitFailure, error.message());
}

std::string cpu_list(const std::vector<int>& cpus) {
  std::string list;
  for (int cpu : cpus) list += (list.empty() ? "" : ",") + std::to_string(cpu);
  return list;
}

struct Paths {
  std::string daemon;
  std::string swarm;
  std::string churn;
  std::string burn;
};

Result<Paths> find_paths(const BenchOptions& options) {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return Error{"cannot resolve", "/proc/self/exe", error.value()};
  const std::filesystem::path tools = options.tools_dir.empty() ? self.parent_path() / "tools" : std::filesystem::path(options.tools_dir);
  Paths paths{self.string(), tools / "swarm", tools / "churn", tools / "burn"};
  for (const std::string* tool : {&paths.swarm, &paths.churn, &paths.burn})
    if (access(tool->c_str(), X_OK) != 0)
      return Error{"not found; build the tools, or point --tools-dir at them", *tool, errno};
  return paths;
}

}  // namespace

int run_bench(const BenchOptions& options) {
  if (options.round_trips == 0) return fail_in_bench(kExitBadInput, "--round-trips must be at least 1");
  if (options.pairs == 0) return fail_in_bench(kExitBadInput, "--pairs must be at least 1");
  if (options.check && options.pairs < kMinimumPairsForCheck)
    return fail_in_bench(kExitBadInput, fmt::format("--check needs --pairs {} or more", kMinimumPairsForCheck));
  if (options.processes.empty() ||
      std::any_of(options.processes.begin(), options.processes.end(), [](std::uint64_t count) { return count == 0; }))
    return fail_in_bench(kExitBadInput, "--processes must list positive counts");
  if (options.scrapes == 0) return fail_in_bench(kExitBadInput, "--scrapes must be at least 1");
  if (!(options.churn_seconds > 0)) return fail_in_bench(kExitBadInput, "--churn-seconds must be positive");
  const std::vector<int> cpus = allowed_cpus();
  if (cpus.empty()) return fail_in_bench(kExitFailure, "cannot read this process's CPU affinity");
  const int cpu = options.cpu < 0 ? cpus.back() : options.cpu;
  if (std::find(cpus.begin(), cpus.end(), cpu) == cpus.end())
    return fail_in_bench(kExitBadInput,
                         fmt::format("--cpu {}: not a CPU this process may run on ({})", cpu, cpu_list(cpus)));

  const std::string missing = first_missing(check_requirements(/*load_test=*/false));
  if (!missing.empty()) return fail_in_bench(kExitFailure, missing);
  auto paths = find_paths(options);
  if (!paths) return fail_in_bench(kExitFailure, paths.error().message());
  // Before starting anything, so that a host too small for the largest swarm fails at once. The
  // stop handlers come first: a SIGINT from here on unwinds through the destructor that restores
  // the limits.
  const StopSignals stop_signals;
  const std::uint64_t largest = *std::max_element(options.processes.begin(), options.processes.end());
  auto raised_limits = RaisedProcessLimits::raise_for(largest);
  if (!raised_limits) return fail_in_bench(kExitFailure, raised_limits.error().message());
  if (auto limits = check_process_limits(largest); !limits)
    return fail_in_bench(kExitFailure, limits.error().message());
  BenchReport report;
  report.kernel = kernel_release();
  report.cpus = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
  report.pingpong_cpu = cpu;
  report.round_trips = options.round_trips;

  const SwitchOverheadOptions switch_options{cpu, options.round_trips, options.pairs, paths->churn, paths->burn};
  for (SwitchPrograms programs :
       {SwitchPrograms::default_collectors, SwitchPrograms::runqueue_latency_on, SwitchPrograms::floor}) {
    auto overhead = measure_switch_overhead(programs, switch_options);
    if (!overhead) return failed(overhead.error());
    report.switch_overheads.push_back(std::move(*overhead));
  }
  for (std::uint64_t processes : options.processes) {
    auto cost = measure_collection_cost({paths->daemon, paths->swarm, processes, options.scrapes});
    if (!cost) return failed(cost.error());
    report.collection.push_back(std::move(*cost));
  }
  auto churn = measure_churn_capture(
      {paths->daemon, paths->churn, paths->burn, options.churn_seconds, kChurnBurnMilliseconds});
  if (!churn) return failed(churn.error());
  report.churn = std::move(*churn);
  if (stop_requested()) return failed(Error{"interrupted", ""});

  const std::vector<Check> checks = evaluate_checks(report);
  if (options.json)
    std::cout << report_json(report, checks).dump(2) << "\n";
  else
    std::cout << report_table(report, checks);
  std::cout.flush();

  if (!options.check) return 0;
  const std::string missed = missed_checks(checks);
  return missed.empty() ? 0 : fail_in_bench(kExitFailure, "--check: missed: " + missed);
}

}  // namespace bpfproc
