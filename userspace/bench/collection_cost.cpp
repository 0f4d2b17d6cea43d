#include "bpfproc/bench/collection_cost.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "bpfproc/util/child_process.h"
#include "bpfproc/bench/daemon_child.h"
#include "bpfproc/bench/process_limits.h"
#include "bpfproc/util/interruptible_wait.h"

namespace bpfproc {
namespace {

// swarm forks about 10,000 processes a second; this allows for a slow, busy host.
constexpr std::chrono::seconds kSwarmTimeout{300};
// The memory refresher keeps to 10% of a CPU, so its first pass over 10,000 small processes takes
// a second or two of wall time; big processes on the host take far longer each.
constexpr std::chrono::seconds kMemoryPassTimeout{600};
constexpr std::chrono::milliseconds kHealthPollInterval{100};

double value_or_zero(const std::vector<Sample>& samples, std::string_view name,
                     const std::map<std::string, std::string>& labels = {}) {
  return sum_samples(samples, name, labels).value_or(0);
}

// The memory refresher's first pass has finished once /health shows a last run.
Result<Ok> wait_for_memory_pass(DaemonChild& daemon) {
  const Deadline deadline = deadline_in(kMemoryPassTimeout);
  for (;;) {
    auto health = daemon.health();
    if (!health) return health.error();
    const auto memory = health->find("collectors");
    if (memory != health->end() && memory->contains("memory") &&
        (*memory)["memory"].value("last_run_timestamp_seconds", 0.0) > 0)
      return Ok{};
    if (std::chrono::steady_clock::now() >= deadline)
      return Error{"the memory refresher did not finish a pass in time", "bpfproc daemon"};
    if (!sleep_unless_stopped(kHealthPollInterval)) return Error{"interrupted", "waiting for the memory pass"};
  }
}

}  // namespace

Result<CollectionCost> measure_collection_cost(const CollectionCostOptions& options) {
  CollectionCost cost;
  cost.processes = options.processes;
  cost.scrapes = options.scrapes;
  if (auto limits = check_process_limits(options.processes); !limits) return limits.error();

  spdlog::info("bench: collection cost, {} processes: starting swarm", options.processes);
  auto swarm = ChildProcess::spawn({options.swarm_path, std::to_string(options.processes)},
                                   {.stdin_pipe = true, .stdout_pipe = true});
  if (!swarm) return swarm.error();
  auto ready = swarm->read_line(kSwarmTimeout);
  if (!ready) return ready.error();
  if (*ready != "ready " + std::to_string(options.processes))
    return Error{"swarm said \"" + *ready + "\"", "swarm " + std::to_string(options.processes)};

  // A long memory interval: the first pass starts with the daemon (with a whole core's budget, so
  // that it ends before the scrapes), and none runs during the scrapes. A collection max age of 0:
  // every scrape collects, as Prometheus scrapes seconds apart do, although these follow each
  // other at once.
  spdlog::info("bench: collection cost, {} processes: starting the daemon", options.processes);
  auto daemon = DaemonChild::start(options.daemon_path, {"--memory.interval", "24h", "--memory.budget", "1",
                                                         "--collection.max-age", "0s",
                                                         "--log.level", "error"});
  if (!daemon) return daemon.error();
  if (auto pass = wait_for_memory_pass(*daemon); !pass) return pass.error();

  // The warm-up scrape pays for reading /proc identities that the daemon's first collection left
  // unread, and is the baseline of the deltas.
  spdlog::info("bench: collection cost, {} processes: scraping", options.processes);
  auto first = daemon->scrape();
  if (!first) return first.error();
  auto cpu_before = daemon->cpu_seconds();
  if (!cpu_before) return cpu_before.error();
  Scrape last = *first;
  for (unsigned scrape = 0; scrape < options.scrapes; ++scrape) {
    auto next = daemon->scrape();
    if (!next) return next.error();
    cost.scrape_seconds.push_back(next->seconds);
    last = std::move(*next);
  }
  auto cpu_after = daemon->cpu_seconds();
  if (!cpu_after) return cpu_after.error();
  auto resident = daemon->resident_bytes();
  if (!resident) return resident.error();

  const double scrapes = options.scrapes;
  const std::map<std::string, std::string> tasks{{"collector", "tasks"}};
  const std::map<std::string, std::string> memory{{"collector", "memory"}};
  auto delta = [&](std::string_view name, const std::map<std::string, std::string>& labels) {
    return value_or_zero(last.samples, name, labels) - value_or_zero(first->samples, name, labels);
  };
  // Per collection; with a max age of 0 there is one per scrape.
  const double collections = std::max(1.0, delta("bpfproc_exporter_collector_duration_seconds_count", tasks));
  cost.collection_cpu_seconds = delta("bpfproc_exporter_collector_cpu_seconds_total", tasks) / collections;
  cost.collection_wall_seconds = delta("bpfproc_exporter_collector_duration_seconds_sum", tasks) / collections;
  cost.daemon_cpu_per_scrape_seconds = (*cpu_after - *cpu_before) / scrapes;
  const double memory_passes = value_or_zero(last.samples, "bpfproc_exporter_collector_duration_seconds_count", memory);
  if (memory_passes > 0) {
    cost.memory_refresh_seconds =
        value_or_zero(last.samples, "bpfproc_exporter_collector_duration_seconds_sum", memory) / memory_passes;
    cost.memory_refresh_cpu_seconds =
        value_or_zero(last.samples, "bpfproc_exporter_collector_cpu_seconds_total", memory) / memory_passes;
  }
  cost.tracked_processes =
      static_cast<std::uint64_t>(value_or_zero(last.samples, "bpfproc_exporter_tracked_processes"));
  cost.resident_bytes = *resident;

  daemon->stop();
  swarm->stop();
  return cost;
}

}  // namespace bpfproc
