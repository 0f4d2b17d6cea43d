#include "bpfproc/app/exporter.h"

namespace bpfproc {

Result<std::unique_ptr<Exporter>> Exporter::open(ExporterOptions options) {
  std::unique_ptr<Exporter> exporter(new Exporter());
  auto monitor = ProcessMonitor::open(std::move(options.monitor));
  if (!monitor) return monitor.error();
  exporter->monitor_ = std::move(*monitor);
  ProcessMonitor* collectors = exporter->monitor_.get();
  exporter->publisher_ = std::make_unique<SnapshotPublisher>([collectors] { return collectors->collect(); },
                                                             options.publisher);
  exporter->publisher_->publish_now();
  return exporter;
}

Exporter::~Exporter() { publisher_.reset(); }

void Exporter::start() {
  monitor_->start_background();
  publisher_->start();
}

}  // namespace bpfproc
