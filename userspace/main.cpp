// bpfproc: command-line wiring only; everything else lives in the layer libraries (userspace/).

#include <algorithm>
#include <map>
#include <set>

#include <CLI/CLI.hpp>
#include <bpf/libbpf.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "bpfproc/app/catalogue_command.h"
#include "bpfproc/app/config_check.h"
#include "bpfproc/app/daemon.h"
#include "bpfproc/app/migration_hints.h"
#include "bpfproc/kernel/bpf_collector.h"
#include "bpfproc/bench/bench.h"
#include "bpfproc/collectors/collector_registry.h"
#include "bpfproc/measure/measure.h"
#include "bpfproc/util/duration.h"
#include "bpfproc/util/exit_status.h"
#include "bpfproc/util/version.h"

namespace {

using bpfproc::fail;
using bpfproc::kExitBadInput;
using bpfproc::kExitFailure;

// The command line, with what follows `bpfproc measure ... --` set aside as CMD: CLI11 2.1 does
// not hand a subcommand the arguments after "--" when it has no positional option.
struct SplitCommandLine {
  std::vector<std::string> reversed_arguments;  // for CLI::App::parse, which takes them reversed
  bool has_separator = false;
  std::vector<std::string> after_separator;
};

SplitCommandLine split_at_separator(int argc, char** argv) {
  SplitCommandLine split;
  std::vector<std::string> arguments(argv + 1, argv + argc);
  auto separator = std::find(arguments.begin(), arguments.end(), std::string("--"));
  if (separator != arguments.end() && std::find(arguments.begin(), separator, std::string("measure")) != separator) {
    split.has_separator = true;
    split.after_separator.assign(separator + 1, arguments.end());
    arguments.erase(separator, arguments.end());
  }
  split.reversed_arguments.assign(arguments.rbegin(), arguments.rend());
  return split;
}

// CMD as typed: `measure -- CMD ARGS`, or `measure CMD ARGS` (CMD's own "--" included).
bpfproc::Result<std::vector<std::string>> measure_command(const CLI::App& measure, const SplitCommandLine& split) {
  std::vector<std::string> command = measure.remaining();
  if (command.empty()) return split.after_separator;
  // Before a "--", CLI11 leaves options it does not know in front of CMD.
  if (command.front().starts_with('-')) return bpfproc::Error{"unknown option", "measure " + command.front()};
  if (split.has_separator) command.push_back("--");
  command.insert(command.end(), split.after_separator.begin(), split.after_separator.end());
  return command;
}

int run_measure(bpfproc::MeasureOptions options, const std::string& interval, const std::string& procfs) {
  auto parsed = bpfproc::parse_duration_flag("--interval", interval, /*positive=*/true);
  if (!parsed) return fail(kExitBadInput, parsed.error().message());
  options.sample_interval = *parsed;
  options.procfs_root = procfs;
  return bpfproc::run_measure(options);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bpfproc: exact per-process-group CPU, scheduling and memory metrics from eBPF, for Prometheus."};
  app.set_version_flag("--version",
                       std::string("bpfproc version ") + bpfproc::kVersion + " (revision " + bpfproc::kRevision +
                           ", libbpf " + libbpf_version_string() + ")");
  bpfproc::DaemonFlags flags;
  app.add_option("--web.listen-address", flags.web.listen_addresses,
                 "Address to listen on, [host]:port; repeat the flag for several")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->capture_default_str();
  app.add_option("--web.telemetry-path", flags.web.telemetry_path, "Path of the metrics endpoint")
      ->capture_default_str();
  app.add_option("--web.config.file", flags.web_config_file,
                 "TLS and basic auth, in the Prometheus exporter-toolkit web config format");
  app.add_option("--config.file", flags.config_file,
                 "Grouping config (process-exporter's process_names format); default: one group per comm");
  app.add_option("--memory.interval", flags.memory_interval,
                 "How often smaps_rollup (PSS, USS, swap) of a process whose read is cheap is read")
      ->capture_default_str();
  app.add_option("--memory.max-age", flags.memory_max_age,
                 "The longest a process's smaps_rollup data may get, however costly its read (at least --memory.interval)")
      ->capture_default_str();
  app.add_option("--memory.budget", flags.memory_budget,
                 "CPU the memory refresher may use, in cores, averaged over a minute")
      ->capture_default_str();
  app.add_option("--memory.threads", flags.memory_threads, "Threads that read smaps_rollup")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  app.add_option("--memory.min-rss", flags.memory_min_rss,
                 "Processes with less resident memory are not read (bytes; units such as 64MiB accepted)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  app.add_option("--collection.interval", flags.collection_interval,
                 "How often the counters are collected when nobody reads them")
      ->capture_default_str();
  app.add_option("--collection.max-age", flags.collection_max_age,
                 "A scrape that finds the snapshot older than this triggers one collection, shared by concurrent scrapes")
      ->capture_default_str();
  app.add_option("--group.retention", flags.group_retention,
                 "How long a group without live or exited members keeps being exported before it is removed")
      ->capture_default_str();
  app.add_option("--label.max-length", flags.label_max_length,
                 "Group names longer than this many bytes are cut (a name can come from any user's command line)")
      ->capture_default_str();
  app.add_option("--process.top-n", flags.process_top_n,
                 "Also export the N members of each group that used the most CPU since the last collection, and the N "
                 "with the highest USS, one by one (bpfproc_process_*; 0: none)")
      ->capture_default_str();
  app.add_option("--process.max-tracked", flags.max_tracked_processes,
                 "Processes tracked at once, live or recently exited; new ones beyond it are not counted "
                 "(bpfproc_exporter_processes_dropped_total)")
      ->capture_default_str();
  app.add_option("--bpf.ringbuf-bytes", flags.events_ring_bytes,
                 "Size of the kernel's lifecycle event ring buffer: a power of two, at least a page (0: 2 MiB); "
                 "events lost when it fills are counted in bpfproc_exporter_events_lost_total{source=\"ringbuf_full\"}")
      ->capture_default_str();
  app.add_option("--series.limit", flags.series_limit,
                 "Series of groups at most; beyond it, the groups that used the least CPU are left out whole (0: no limit)")
      ->capture_default_str();
  for (const bpfproc::CollectorDefinition& collector : bpfproc::builtin_collectors()) {
    bool& enabled = flags.collectors[collector.name];  // std::map: the reference stays valid
    enabled = collector.enabled_by_default;
    app.add_flag("--collector." + collector.name + ",!--no-collector." + collector.name, enabled,
                 collector.help + (collector.enabled_by_default ? " (default: on)" : " (default: off)"));
  }
  std::map<std::string, bool> group_flags;  // --collector.GROUP, applied after parsing
  for (const bpfproc::CollectorGroup& group : bpfproc::builtin_collector_groups())
    app.add_flag("--collector." + group.name + ",!--no-collector." + group.name, group_flags[group.name], group.help);
  app.add_flag("--threads", flags.threads,
               "Break every group down by thread name (comm): bpfproc_thread_* series, and process-exporter's "
               "thread metrics with --compat.process-exporter");
  app.add_option("--group.cgroup-label", flags.cgroup_label,
                 "Add this label to every group metric, splitting each group by its members' systemd unit, container "
                 "id (12 hex digits) or cgroup v2 path: unit, container or cgroup (default: none)");
  app.add_flag("--compat.process-exporter", flags.process_exporter_compat,
               "Also serve the groups under process-exporter's names (namedprocess_namegroup_*, label groupname), "
               "so that its dashboards and alerts keep working");
  app.add_option("--runqueue-latency.buckets", flags.runqueue_latency_buckets,
                 "Bounds of the run-queue latency histogram's buckets: increasing seconds, comma-separated (+Inf "
                 "is always added). Each is rounded up to a power of two of ns from 0.000001024 to 4.294967296, "
                 "where the kernel counts waits; that is the le exported. Default: 11 buckets, 14 series per group")
      ->capture_default_str();
  bpfproc::RemoteWriteFlags& push = flags.remote_write;
  app.add_option("--remote-write.url", push.urls,
                 "Push to this Prometheus remote_write 1.0 receiver (e.g. http://host:9090/api/v1/write); repeat the "
                 "flag for several, each with its own queue")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--remote-write.interval", push.interval, "How often to push")->capture_default_str();
  app.add_option("--remote-write.queue-duration", push.queue_duration,
                 "How much of pushes a receiver's queue holds while it is down; then the oldest are dropped")
      ->capture_default_str();
  app.add_option("--remote-write.timeout", push.timeout, "Timeout of one push request")->capture_default_str();
  app.add_option("--remote-write.basic-auth.username", push.basic_auth_username, "Basic auth user for the receivers");
  app.add_option("--remote-write.basic-auth.password-file", push.basic_auth_password_file,
                 "File holding the basic auth password (read at each push)");
  app.add_option("--remote-write.bearer-token-file", push.bearer_token_file,
                 "File holding a bearer token for the receivers (read at each push)");
  app.add_option("--remote-write.tls.ca-file", push.tls_ca_file, "CA certificates to verify https receivers with");
  app.add_option("--remote-write.tls.cert-file", push.tls_cert_file, "Client certificate for https receivers");
  app.add_option("--remote-write.tls.key-file", push.tls_key_file, "Key of the client certificate");
  app.add_option("--remote-write.header", push.headers,
                 "Extra request header, \"Name: value\" (e.g. \"X-Scope-OrgID: team\" for Mimir); repeatable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--label", push.labels,
                 "External label name=value added to every pushed series; repeatable. instance=... replaces the "
                 "host identity (product_uuid, machine-id, boot id, hostname)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--bpf.stats", flags.bpf_stats,
               "Publish the kernel's run-time statistics of bpfproc's BPF programs (costs ~20 ns per event)");
  app.add_option("--run-as", flags.run_as,
                 "Become this user (name or uid) once the BPF programs are attached; every capability but "
                 "CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH is dropped either way");
  app.add_option("--log.level", flags.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--path.procfs", flags.procfs, "procfs mount point")->capture_default_str();
  app.add_option("--path.rootfs", flags.rootfs,
                 "Where the host's root filesystem is mounted, for host.filesystem's statfs of each mount point")
      ->capture_default_str();
  app.add_option("--collector.host.filesystem.mount-timeout", flags.filesystem_mount_timeout,
                 "How long host.filesystem waits for the statfs of one mount point; one that hangs (a "
                 "hard NFS mount whose server is gone) is reported with node_filesystem_device_error 1 and "
                 "not probed again until its call returns")
      ->capture_default_str();
  app.add_option("--path.udev.data", flags.udev_data, "udev's database, for the model, serial ... of node_disk_info")
      ->capture_default_str();
  bpfproc::HostFilters& filters = flags.host_filters;
  app.add_option("--collector.host.filesystem.mount-points-exclude", filters.mount_points_exclude,
                 "Regular expression of the mount points host.filesystem leaves out")
      ->capture_default_str();
  app.add_option("--collector.host.filesystem.fs-types-exclude", filters.fs_types_exclude,
                 "Regular expression of the filesystem types host.filesystem leaves out")
      ->capture_default_str();
  app.add_option("--collector.host.disk.device-exclude", filters.disk.exclude,
                 "Regular expression of the block devices host.disk leaves out")
      ->capture_default_str();
  app.add_option("--collector.host.disk.device-include", filters.disk.include,
                 "Regular expression of the only block devices host.disk serves (instead of the exclude)");
  app.add_option("--collector.host.network.device-exclude", filters.network.exclude,
                 "Regular expression of the network devices host.network leaves out")
      ->capture_default_str();
  app.add_option("--collector.host.network.device-include", filters.network.include,
                 "Regular expression of the only network devices host.network serves (instead of the exclude)");
  app.fallthrough();

  auto* once = app.add_subcommand("once", "Collect once, print the exposition to stdout, and exit");
  auto* check = app.add_subcommand("check", "Check kernel features and privileges; exit 1 if any is missing");
  std::vector<std::string> configs_to_check;
  auto* check_config = app.add_subcommand(
      "check-config",
      "Check grouping config and web config files without starting anything; exit 2 on an error or on any "
      "warning (e.g. an unknown key)");
  check_config->add_option("FILE", configs_to_check, "The config files (grouping or web config)")->required();
  auto* show_config = app.add_subcommand(
      "show-config", "Print the configuration these flags and files put in force, defaults filled in, as YAML");
  std::string catalogue_group, catalogue_format = "table";
  auto* catalogue = app.add_subcommand(
      "catalogue", "Print the built-in catalogue of well-known programs that a `- use: catalogue` rule classifies by");
  catalogue->add_option("--group", catalogue_group, "Only this group's entries (e.g. db)");
  catalogue->add_option("--format", catalogue_format, "table or yaml")->capture_default_str();
  bpfproc::MeasureOptions measure_options;
  std::string measure_interval = "100ms";
  auto* measure = app.add_subcommand(
      "measure", "Run CMD and report the exact CPU, scheduling and peak memory of its whole process tree");
  measure->footer("Usage: bpfproc measure [--json] [--interval 100ms] -- CMD [ARGS...]");
  measure->add_flag("--json", measure_options.json, "JSON report on stdout instead of the readable one on stderr");
  measure->add_option("--interval", measure_interval, "How often memory is sampled")->capture_default_str();
  // Everything from CMD on is CMD's, options included.
  measure->prefix_command()->fallthrough(false);
  bpfproc::BenchOptions bench_options;
  auto* bench = app.add_subcommand("bench", "Measure what bpfproc costs this host (see README, Benchmark mode)");
  bench->add_flag("--json", bench_options.json, "Print one JSON object instead of the table");
  bench->add_flag("--check", bench_options.check, "Exit 1 when a documented threshold is missed");
  bench->add_option("--cpu", bench_options.cpu, "CPU of the ping-pong (default: the last one allowed)")
      ->check(CLI::NonNegativeNumber);
  bench->add_option("--round-trips", bench_options.round_trips, "Round trips per ping-pong run")
      ->capture_default_str();
  bench->add_option("--pairs", bench_options.pairs, "Attached/detached pairs of ping-pong runs (5 or more for --check)")
      ->capture_default_str();
  bench->add_option("--processes", bench_options.processes, "Sleeping processes to measure collection with")
      ->delimiter(',')
      ->capture_default_str();
  bench->add_option("--scrapes", bench_options.scrapes, "Scrapes per process count")->capture_default_str();
  bench->add_option("--churn-seconds", bench_options.churn_seconds, "How long the churn capture runs")
      ->capture_default_str();
  bench->add_option("--tools-dir", bench_options.tools_dir,
                    "Where burn, churn and swarm are (default: tools/ next to the bpfproc binary)");
  app.require_subcommand(0, 1);

  // Before CLI11, whose "not expected" would not say where a process-exporter setting went.
  if (auto hint = bpfproc::first_process_exporter_hint(std::vector<std::string>(argv + 1, argv + argc)))
    return fail(kExitBadInput, *hint);
  SplitCommandLine split = split_at_separator(argc, argv);
  app.name(argv[0]);  // what parse(argc, argv) would have set, for the usage line
  try {
    app.parse(split.reversed_arguments);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitBadInput;
  }
  if (split.has_separator && !*measure) return fail(kExitBadInput, "arguments after -- are only for measure");
  flags.series_limit_given = app.count("--series.limit") > 0;
  for (const auto& [group, enabled] : group_flags) {
    if (app.count("--collector." + group) == 0) continue;
    std::set<std::string> given;
    for (const bpfproc::CollectorDefinition& collector : bpfproc::builtin_collectors())
      if (app.count("--collector." + collector.name) > 0) given.insert(collector.name);
    bpfproc::CollectorRegistry::apply_group_flag(bpfproc::builtin_collectors(), group, enabled, given, flags.collectors);
  }
  flags.runqueue_latency_buckets_given = app.count("--runqueue-latency.buckets") > 0;
  flags.disk_exclude_given = app.count("--collector.host.disk.device-exclude") > 0;
  flags.network_exclude_given = app.count("--collector.host.network.device-exclude") > 0;

  spdlog::set_default_logger(spdlog::stderr_logger_mt("bpfproc"));
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  bpfproc::route_libbpf_logging();

  try {
    if (*check) return bpfproc::run_check();
    if (*check_config) return bpfproc::run_check_config(configs_to_check);
    if (*show_config) return bpfproc::run_show_config(flags);
    if (*catalogue) return bpfproc::run_catalogue(catalogue_group, catalogue_format);
    if (*bench) return bpfproc::run_bench(bench_options);
    if (*once) return bpfproc::run_once(flags);
    if (*measure) {
      auto command = measure_command(*measure, split);
      if (!command) return fail(kExitBadInput, command.error().message());
      measure_options.command = std::move(*command);
      return run_measure(std::move(measure_options), measure_interval, flags.procfs);
    }
    return bpfproc::run_daemon(flags);
  } catch (const std::exception& error) {
    return fail(kExitFailure, error.what());
  }
}
