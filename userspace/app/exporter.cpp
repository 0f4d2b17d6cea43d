#include "bpfproc/app/exporter.h"

#include <bpf/libbpf.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "bpfproc/exposition/series_limit.h"
#include "bpfproc/kernel/check.h"
#include "bpfproc/procfs/self_metrics.h"
#include "bpfproc/util/clock.h"
#include "bpfproc/util/version.h"

namespace bpfproc {
namespace {

BuildInfo current_build_info() { return BuildInfo{kVersion, kRevision, libbpf_version_string(), kernel_release()}; }

}  // namespace

Exporter::Exporter(ExporterOptions options)
    : options_(std::move(options)),
      build_(current_build_info()),
      boot_time_unix_seconds_(boot_time_unix_seconds()),
      // process_* describe this process, as client libraries read them: from the reader's own
      // /proc, whatever --path.procfs says (a copy or a fixture tree has no such process).
      self_procfs_("/proc"),
      last_reload_success_unix_seconds_(clock_seconds(CLOCK_REALTIME)) {}

Exporter::~Exporter() {
  publisher_.reset();
  registry_.reset();
}

Result<std::unique_ptr<Exporter>> Exporter::open(ExporterOptions options) {
  std::unique_ptr<Exporter> exporter(new Exporter(std::move(options)));
  const CollectorOptions& collectors = exporter->options_.collectors;
  const auto& definitions = builtin_collectors();

  TrackerOptions tracker_options;
  tracker_options.config = collectors.config;
  tracker_options.procfs_root = collectors.procfs_root;
  tracker_options.group_retention = collectors.group_retention;
  tracker_options.label_max_length = collectors.label_max_length;
  tracker_options.process_top_n = collectors.process_top_n;
  tracker_options.max_tracked_processes = collectors.max_tracked_processes;
  tracker_options.bpf.events_ring_bytes = collectors.events_ring_bytes;
  tracker_options.bpf.include_kernel_threads = collectors.config.kernel_threads;
  tracker_options.bpf.runqueue_latency = CollectorRegistry::enabled(definitions, collectors, "runqueue-latency");
  tracker_options.bpf.bpf_stats = collectors.bpf_stats;
  // process-exporter's threads_wchan: where each sleeping thread waits.
  tracker_options.bpf.wchan = exporter->options_.process_exporter_compat;
  auto tracker = ProcessTracker::open(std::move(tracker_options));
  if (!tracker) return tracker.error();
  exporter->tracker_ = std::move(*tracker);

  auto registry = CollectorRegistry::create(definitions, collectors, exporter->tracker_.get());
  if (!registry) return registry.error();
  exporter->registry_ = std::move(*registry);

  Exporter* self = exporter.get();
  exporter->publisher_ = std::make_unique<SnapshotPublisher>([self] { return self->collect(); },
                                                             exporter->options_.publisher);
  exporter->publisher_->publish_now();
  return exporter;
}

void Exporter::record_reload(bool successful) {
  std::lock_guard lock(reload_mutex_);
  last_reload_successful_ = successful;
  if (successful) last_reload_success_unix_seconds_ = clock_seconds(CLOCK_REALTIME);
}

void Exporter::start() {
  tracker_->start_draining();
  registry_->start();
  publisher_->start();
}

std::shared_ptr<ExporterSnapshot> Exporter::collect() {
  auto snapshot = std::make_shared<ExporterSnapshot>();
  registry_->collect(*snapshot);
  snapshot->boot_time_unix_seconds = boot_time_unix_seconds_;
  snapshot->build = build_;
  snapshot->cpu_cores = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
  snapshot->process_exporter_compat = options_.process_exporter_compat;
  if (const std::size_t dropped = apply_series_limit(*snapshot, options_.series_limit); dropped > 0) {
    series_dropped_ += dropped;
    // Once a minute while the cap holds: it means a process or a config makes groups without end.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_limit_warning_ >= std::chrono::minutes(1)) {
      last_limit_warning_ = now;
      spdlog::warn("--series.limit {}: {} series of the groups that used the least CPU are not exported",
                   options_.series_limit, dropped);
    }
  }
  snapshot->series_dropped = series_dropped_;
  snapshot->series_limit = options_.series_limit;
  for (const GroupTotals& group : snapshot->groups) snapshot->group_series += group_series(*snapshot, group);
  {
    std::lock_guard lock(reload_mutex_);
    snapshot->config_last_reload_successful = last_reload_successful_;
    snapshot->config_last_reload_success_unix_seconds = last_reload_success_unix_seconds_;
  }
  // After the collectors, so that process_cpu_seconds_total includes this collection.
  auto self = read_self_metrics(self_procfs_);
  if (self) snapshot->self = *self;
  else spdlog::warn("self metrics: {}", self.error().message());
  return snapshot;
}

}  // namespace bpfproc
