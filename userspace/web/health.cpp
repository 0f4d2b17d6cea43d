#include "bpfproc/web/health.h"

#include <nlohmann/json.hpp>

#include "bpfproc/snapshot/snapshot_publisher.h"

namespace bpfproc {

std::string health_json(const ExporterSnapshot* snapshot) {
  nlohmann::json health;
  health["bpf_attached"] = snapshot != nullptr;
  if (snapshot == nullptr) return health.dump();
  for (const CollectorStatus& collector : snapshot->collectors) {
    health["collectors"][collector.name] = {{"last_run_timestamp_seconds", collector.last_run_unix_seconds},
                                            {"success", collector.success},
                                            {"errors_total", collector.errors}};
  }
  health["events_lost"] = snapshot->events_lost;
  health["tracked_processes"] = snapshot->tracked_processes;
  health["snapshot_age_seconds"] = SnapshotPublisher::age_seconds(*snapshot);
  return health.dump();
}

}  // namespace bpfproc
