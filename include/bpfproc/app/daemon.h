#pragma once
// The daemon's commands: serve (the default), `once`, `check` and `show-config`, from the parsed flags.
#include <cstddef>
#include <map>
#include <string>

#include "bpfproc/accounting/runqueue_buckets.h"
#include "bpfproc/collectors/host/host_filters.h"
#include "bpfproc/grouping/process_table.h"
#include "bpfproc/push/remote_write_options.h"
#include "bpfproc/web/web_server.h"

namespace bpfproc {

struct DaemonFlags {
  WebOptions web;
  RemoteWriteFlags remote_write;
  std::string config_file;
  std::string web_config_file;
  std::string memory_interval = "30s";
  std::string memory_max_age = "10m";
  double memory_budget = 0.01;  // cores
  unsigned memory_threads = 1;
  std::uint64_t memory_min_rss = 0;  // bytes
  std::string collection_interval = "15s";
  std::string collection_max_age = "100ms";
  std::string group_retention = "5m";
  std::size_t label_max_length = 256;
  std::size_t process_top_n = 0;
  std::size_t max_tracked_processes = GroupLimits::kDefaultMaxTrackedProcesses;
  std::uint64_t events_ring_bytes = 0;  // 0: the BPF side's size
  std::size_t series_limit = 20'000;
  bool series_limit_given = false;  // --series.limit was on the command line
  std::string run_as;  // --run-as: the user to become once the BPF programs are attached
  std::string log_level = "info";
  std::string procfs = "/proc";
  std::string rootfs = "/";  // --path.rootfs
  std::string udev_data = "/run/udev/data";  // --path.udev.data
  std::string filesystem_mount_timeout = "5s";  // --collector.host.filesystem.mount-timeout
  HostFilters host_filters;                     // --collector.host.*-exclude/-include
  // Whether --collector.host.{disk,network}.device-exclude was given: with -include, it is an error.
  bool disk_exclude_given = false;
  bool network_exclude_given = false;
  // --collector.NAME / --no-collector.NAME, by collector name.
  std::map<std::string, bool> collectors;
  // Seconds, comma-separated (accounting/runqueue_buckets.h).
  std::string runqueue_latency_buckets = RunqueueBuckets::defaults().to_string();
  bool runqueue_latency_buckets_given = false;  // --runqueue-latency.buckets was on the command line
  bool bpf_stats = false;
  bool process_exporter_compat = false;
  bool threads = false;  // Config::threads
  std::string cgroup_label;  // --group.cgroup-label: "", unit, container or cgroup (Config::cgroup_label)
};

// Serves /metrics until SIGINT or SIGTERM (0 then), reloading the configuration files at each
// SIGHUP (app/config_reloader.h); returns the exit status.
int run_daemon(const DaemonFlags& flags);
// Collects once and prints the exposition on stdout.
int run_once(const DaemonFlags& flags);
// Prints each kernel requirement; 1 if any is missing.
int run_check();
// Prints the configuration in force for these flags as YAML (app/effective_config.h); 2 on bad input.
int run_show_config(const DaemonFlags& flags);

}  // namespace bpfproc
