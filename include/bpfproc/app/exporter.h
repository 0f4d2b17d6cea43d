#pragma once
// The running exporter: the process tracker, the collectors and the publisher of their
// snapshots, wired together. The daemon, `once` and the tests of the core start it the same way.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "bpfproc/collectors/collector_registry.h"
#include "bpfproc/collectors/process_tracker.h"
#include "bpfproc/snapshot/snapshot_publisher.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct ExporterOptions {
  CollectorOptions collectors;
  PublisherOptions publisher;
  std::size_t series_limit = 0;  // series of groups at most (exposition/series_limit.h); 0: none
  bool process_exporter_compat = false;  // exposition/compat_families.h
};

class Exporter {
 public:
  // Loads the BPF programs, creates the enabled collectors and publishes the first snapshot;
  // nothing runs in the background until start().
  static Result<std::unique_ptr<Exporter>> open(ExporterOptions options);
  ~Exporter();

  // The collection thread, the event drain and the collectors' own threads.
  void start();
  SnapshotPublisher& publisher() { return *publisher_; }
  CollectorRegistry& collectors() { return *registry_; }
  ProcessTracker& tracker() { return *tracker_; }

  // A reload of the configuration files (ConfigReloader) succeeded or failed: the self-metrics
  // of the snapshots collected from now on say so. Any thread.
  void record_reload(bool successful);

 private:
  explicit Exporter(ExporterOptions options);
  // One collection: every collector, plus what describes the exporter itself.
  std::shared_ptr<ExporterSnapshot> collect();

  ExporterOptions options_;
  BuildInfo build_;
  double boot_time_unix_seconds_ = 0;
  ProcFs self_procfs_;  // always /proc: where process_* are read
  std::uint64_t series_dropped_ = 0;  // by the series limit, over all collections
  std::chrono::steady_clock::time_point last_limit_warning_{};
  std::mutex reload_mutex_;  // guards the two below: the reloading thread writes, collect() reads
  bool last_reload_successful_ = true;
  double last_reload_success_unix_seconds_ = 0;  // the start's load, until a reload succeeds
  // Destroyed bottom-up: the publisher stops collecting before the collectors go, and they stop
  // their threads before the tracker (whose table they use) goes.
  std::unique_ptr<ProcessTracker> tracker_;
  std::unique_ptr<CollectorRegistry> registry_;
  std::unique_ptr<SnapshotPublisher> publisher_;
};

}  // namespace bpfproc
