#pragma once
// The running exporter: the collectors and the publisher of their snapshots, wired together.
// The daemon, `once` and the end-to-end tests of the core all start it the same way.
#include <memory>

#include "bpfproc/collectors/process_monitor.h"
#include "bpfproc/snapshot/snapshot_publisher.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct ExporterOptions {
  MonitorOptions monitor;
  PublisherOptions publisher;
};

class Exporter {
 public:
  // Loads the BPF programs and publishes the first snapshot; nothing runs in the background yet.
  static Result<std::unique_ptr<Exporter>> open(ExporterOptions options);
  ~Exporter();

  // The collection thread, the event drain and the memory refresher.
  void start();
  SnapshotPublisher& publisher() { return *publisher_; }
  ProcessMonitor& monitor() { return *monitor_; }

 private:
  Exporter() = default;
  std::unique_ptr<ProcessMonitor> monitor_;
  std::unique_ptr<SnapshotPublisher> publisher_;  // after monitor_: stops before it
};

}  // namespace bpfproc
