#pragma once
// A collector: one source of metrics, node_exporter style. Each declares a CollectorDefinition
// (name, default, help, how to create it); the registry gives it its --collector.NAME /
// --no-collector.NAME flag, runs it at every collection and records its duration, CPU, success
// and errors. Adding a collector is one file in collectors/ and one line in collector_registry.cpp.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bpfproc/accounting/runqueue_buckets.h"
#include "bpfproc/collectors/collector_stats.h"
#include "bpfproc/collectors/host/host_filters.h"
#include "bpfproc/collectors/memory_refresher.h"
#include "bpfproc/collectors/sources/source_config.h"
#include "bpfproc/grouping/config.h"
#include "bpfproc/grouping/process_table.h"
#include "bpfproc/snapshot/snapshot.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

class ProcessTracker;

class Collector {
 public:
  virtual ~Collector() = default;
  // Adds this collector's part to the snapshot being built. Returns the errors it met (0 for
  // success). Never throws: an error is counted, and the collection goes on without this part.
  virtual std::uint64_t collect(ExporterSnapshot& snapshot) = 0;
  // Collectors that work on their own thread (memory) start it here.
  virtual void start() {}
  // One full pass of that background work on the calling thread (`bpfproc once`, tests).
  virtual void refresh_now() {}
  // Self-metrics of parts it runs on its own, listed after its own (each custom metric source).
  virtual std::vector<CollectorStatus> statuses() const { return {}; }
};

// What the daemon's options say about the collectors.
struct CollectorOptions {
  Config config;
  std::string procfs_root = "/proc";
  std::string rootfs_root = "/";  // --path.rootfs: where the host's mount points are (host.filesystem)
  // --collector.host.filesystem.mount-timeout: how long host.filesystem waits for one statfs
  std::chrono::milliseconds filesystem_mount_timeout{std::chrono::seconds(5)};
  HostFilters host_filters;  // --collector.host.{filesystem,disk,network}.*-exclude/-include
  std::string udev_data_root = "/run/udev/data";  // --path.udev.data: udev's database (node_disk_info)
  MemoryRefresherOptions memory;
  std::chrono::milliseconds group_retention{std::chrono::minutes(5)};  // --group.retention
  std::size_t label_max_length = 256;                                   // --label.max-length
  std::size_t process_top_n = 0;                                        // --process.top-n
  std::size_t max_tracked_processes = GroupLimits::kDefaultMaxTrackedProcesses;  // --process.max-tracked
  std::uint32_t events_ring_bytes = 0;                                  // --bpf.ringbuf-bytes (0: built-in)
  bool bpf_stats = false;
  RunqueueBuckets runqueue_latency_buckets = RunqueueBuckets::defaults();  // --runqueue-latency.buckets
  std::chrono::milliseconds collection_interval{std::chrono::seconds(15)};  // --collection.interval
  SourcesConfig sources;  // the config file's sources: section
  // --collector.NAME / --no-collector.NAME as given; a collector not named keeps its default.
  std::map<std::string, bool> enabled;
};

// What a collector is created with.
struct CollectorEnvironment {
  const CollectorOptions& options;
  // The BPF programs and the process table; null where there are none (tests of the registry).
  ProcessTracker* tracker;
  // This collector's self-metrics; a collector that works in the background records its runs here.
  CollectorStats& stats;
};

struct CollectorDefinition {
  std::string name;  // the flag is --collector.NAME
  std::string help;
  bool enabled_by_default = true;
  // Its work runs on its own thread and records itself in CollectorEnvironment::stats; the
  // registry then does not time collect(), which only hands over what that work found.
  bool works_in_background = false;
  std::function<Result<std::unique_ptr<Collector>>(CollectorEnvironment&)> create;
  // A group flag that switches it with others (--collector.host for host.cpu, host.memory, ...),
  // unless its own flag is given; empty for none.
  std::string group = {};
};

}  // namespace bpfproc
