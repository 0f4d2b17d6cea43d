#include "bpfproc/app/daemon.h"

#include <arpa/inet.h>
#include <linux/capability.h>
#include <malloc.h>
#include <netinet/in.h>
#include <signal.h>
#include <unistd.h>
#include <string.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <tuple>

#include <spdlog/spdlog.h>

#include "bpfproc/app/config_reloader.h"
#include "bpfproc/app/effective_config.h"
#include "bpfproc/app/exporter.h"
#include "bpfproc/app/privileges.h"
#include "bpfproc/collectors/sources/source_config.h"
#include "bpfproc/exposition/text_writer.h"
#include "bpfproc/grouping/config.h"
#include "bpfproc/kernel/bpf_collector.h"
#include "bpfproc/kernel/check.h"
#include "bpfproc/push/host_identity.h"
#include "bpfproc/push/remote_write_config.h"
#include "bpfproc/push/remote_writer.h"
#include "bpfproc/util/capabilities.h"
#include "bpfproc/util/duration.h"
#include "bpfproc/util/exit_status.h"
#include "bpfproc/util/signals.h"
#include "bpfproc/util/version.h"
#include "bpfproc/util/whole_file.h"
#include "bpfproc/web/health.h"
#include "bpfproc/web/listen_address.h"
#include "bpfproc/web/scrape_source.h"
#include "bpfproc/web/tls_context.h"

namespace bpfproc {
namespace {

// A procfs answers /stat with the kernel's CPU lines. Anything else (a typo, an empty directory)
// would give an exporter that runs and exports nothing.
Status check_procfs(const std::string& root) {
  auto stat = read_whole_file(root + "/stat");
  if (!stat || !stat->starts_with("cpu "))
    return Error{"--path.procfs " + root + ": not a procfs (" + root + "/stat has no CPU lines)", ""};
  return Ok{};
}

// The metrics path must be one a client can ask for, and not one the server already answers.
Status check_telemetry_path(const std::string& path) {
  if (!path.starts_with('/'))
    return Error{"--web.telemetry-path " + path + ": must start with /", ""};
  if (path == "/" || path == "/health")
    return Error{"--web.telemetry-path " + path + ": " + path + " is the server's own page", ""};
  return Ok{};
}

// The config file's custom metric sources. A file that makes the daemon run commands must be
// root's and not writable by others. Without sources the collector is off unless asked for.
Status load_sources(const DaemonFlags& flags, CollectorOptions& collectors) {
  if (!flags.config_file.empty()) {
    auto sources = parse_sources(collectors.config.document, flags.config_file, collectors.collection_interval);
    if (!sources) return sources.error();
    if (sources->has_commands())
      if (auto owner = check_command_config_owner(flags.config_file); !owner) return owner.error();
    collectors.sources = std::move(*sources);
  }
  if (collectors.sources.sources.empty() && !flags.collectors.contains("sources"))
    collectors.enabled["sources"] = false;
  return Ok{};
}

ReloadFiles reload_files(const DaemonFlags& flags) {
  // exporter_options refuses a bad value at start, before any reload can read this.
  const Result<CgroupLabel> cgroup_label = parse_cgroup_label(flags.cgroup_label);
  return {.config_file = flags.config_file,
          .web_config_file = flags.web_config_file,
          .series_limit = flags.series_limit,
          .series_limit_given = flags.series_limit_given,
          .threads = flags.threads,
          .cgroup_label = cgroup_label ? *cgroup_label : CgroupLabel::none};
}

// The host collectors' filters from the flags. As in node_exporter, an include pattern replaces
// the default exclude, and giving both is an error.
Result<HostFilters> host_filters(const DaemonFlags& flags) {
  HostFilters filters = flags.host_filters;
  for (auto [filter, exclude_given, name] : {std::tuple{&filters.disk, flags.disk_exclude_given, "disk"},
                                             std::tuple{&filters.network, flags.network_exclude_given, "network"}}) {
    if (filter->include.empty()) continue;
    if (exclude_given)
      return Error{std::string("--collector.host.") + name + ".device-exclude and --collector.host." + name +
                       ".device-include: give one of them, not both",
                   ""};
    filter->exclude.clear();
  }
  if (auto checked = check_host_filters(filters, "--collector.host"); !checked) return checked.error();
  return filters;
}

// Options from the flags; every error here is bad input.
Result<ExporterOptions> exporter_options(const DaemonFlags& flags) {
  ExporterOptions options;
  if (auto procfs = check_procfs(flags.procfs); !procfs) return procfs.error();
  CollectorOptions& collectors = options.collectors;
  if (flags.config_file.empty()) {
    collectors.config = default_config();
  } else {
    auto config = load_config_file(flags.config_file);
    if (!config) return config.error();
    collectors.config = std::move(*config);
    for (const std::string& warning : collectors.config.warnings) spdlog::warn("{}", warning);
    warn_per_process_names(collectors.config, reload_files(flags));
  }
  auto memory_interval = parse_duration_flag("--memory.interval", flags.memory_interval, /*positive=*/true);
  if (!memory_interval) return memory_interval.error();
  collectors.memory.schedule.interval = *memory_interval;
  auto memory_max_age = parse_duration_flag("--memory.max-age", flags.memory_max_age, /*positive=*/true);
  if (!memory_max_age) return memory_max_age.error();
  // A max age below the interval would make every read a forced one: the interval wins.
  collectors.memory.schedule.max_age = std::max(*memory_max_age, *memory_interval);
  if (!(flags.memory_budget > 0))
    return Error{"--memory.budget " + std::to_string(flags.memory_budget) + ": must be above 0 (cores)", ""};
  collectors.memory.cpu_budget = flags.memory_budget;
  collectors.memory.threads = flags.memory_threads;
  collectors.memory.schedule.min_rss_bytes = flags.memory_min_rss;
  auto collection_interval = parse_duration_flag("--collection.interval", flags.collection_interval, /*positive=*/true);
  if (!collection_interval) return collection_interval.error();
  options.publisher.interval = *collection_interval;
  collectors.collection_interval = *collection_interval;
  if (auto sources = load_sources(flags, collectors); !sources) return sources.error();
  auto max_age = parse_duration_flag("--collection.max-age", flags.collection_max_age, /*positive=*/false);
  if (!max_age) return max_age.error();
  options.publisher.max_age = *max_age;
  auto retention = parse_duration_flag("--group.retention", flags.group_retention, /*positive=*/false);
  if (!retention) return retention.error();
  collectors.group_retention = *retention;
  if (flags.label_max_length < 16)
    return Error{"--label.max-length " + std::to_string(flags.label_max_length) + ": must be at least 16 bytes", ""};
  collectors.label_max_length = flags.label_max_length;
  collectors.process_top_n = flags.process_top_n;
  if (flags.max_tracked_processes == 0) return Error{"--process.max-tracked 0: must be at least 1", ""};
  collectors.max_tracked_processes = flags.max_tracked_processes;
  if (flags.events_ring_bytes != 0) {
    if (auto valid = valid_ring_buffer_bytes(flags.events_ring_bytes); !valid) return valid.error();
    collectors.events_ring_bytes = static_cast<std::uint32_t>(flags.events_ring_bytes);
  }
  options.series_limit = flags.series_limit;
  options.process_exporter_compat = flags.process_exporter_compat;
  collectors.config.threads = collectors.config.threads || flags.threads;
  auto cgroup_label = parse_cgroup_label(flags.cgroup_label);
  if (!cgroup_label) return cgroup_label.error();
  collectors.config.cgroup_label = *cgroup_label;
  for (const auto& [name, enabled] : flags.collectors) collectors.enabled[name] = enabled;
  auto buckets = parse_runqueue_buckets(flags.runqueue_latency_buckets);
  if (!buckets) return buckets.error();
  if (!buckets->warning.empty()) spdlog::warn("{}", buckets->warning);
  collectors.runqueue_latency_buckets = buckets->buckets;
  if (flags.runqueue_latency_buckets_given &&
      !CollectorRegistry::enabled(builtin_collectors(), collectors, "runqueue-latency"))
    spdlog::warn("--runqueue-latency.buckets has no effect without --collector.runqueue-latency");
  collectors.bpf_stats = flags.bpf_stats;
  collectors.procfs_root = flags.procfs;
  collectors.rootfs_root = flags.rootfs;
  collectors.udev_data_root = flags.udev_data;
  auto mount_timeout = parse_duration_flag("--collector.host.filesystem.mount-timeout", flags.filesystem_mount_timeout,
                                           /*positive=*/true);
  if (!mount_timeout) return mount_timeout.error();
  collectors.filesystem_mount_timeout = *mount_timeout;
  auto filters = host_filters(flags);
  if (!filters) return filters.error();
  collectors.host_filters = std::move(*filters);
  return options;
}

Result<std::unique_ptr<Exporter>> open_exporter(ExporterOptions options) {
  // A missing requirement explains itself better than the load failure it would cause.
  const std::string missing = first_missing(check_requirements(/*load_test=*/false));
  if (!missing.empty()) return Error{missing, ""};
  return Exporter::open(std::move(options));
}

// A port below 1024 needs CAP_NET_BIND_SERVICE, and the sockets are bound after the drop.
bool binds_low_port(const std::vector<std::string>& listen_addresses) {
  for (const std::string& text : listen_addresses) {
    auto address = parse_listen_address(text);
    if (!address) continue;
    const sockaddr_storage& storage = address->address;
    const in_port_t port = storage.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6&>(storage).sin6_port
                                                         : reinterpret_cast<const sockaddr_in&>(storage).sin_port;
    if (ntohs(port) < 1024) return true;
  }
  return false;
}

// After the programs are attached and before any thread starts (capabilities are per thread).
// Returns what to log once the server listens: a start that fails (a port in use) says one line.
Result<std::string> drop_daemon_privileges(const DaemonFlags& flags, const std::optional<RunAsUser>& user,
                                           bool switch_users) {
  const auto before = thread_capabilities();
  const std::uint64_t keep = kept_capabilities(
      {.bpf_after_load = bpf_needs_capability_after_load(),
       .low_port = binds_low_port(flags.web.listen_addresses),
       .kernel_symbols = flags.process_exporter_compat,
       .switch_users = switch_users});
  auto effective = drop_privileges(user, keep);
  if (!effective) return effective.error();
  return fmt::format("dropped privileges{}: capabilities {} (CapEff {:016x}, was {:016x}), uid {}",
                     user ? " and became " + user->name : "", capability_names(*effective), *effective,
                     before ? before->effective : 0, getuid());
}

}  // namespace

int run_show_config(const DaemonFlags& flags) {
  auto options = exporter_options(flags);
  if (!options) return fail(kExitBadInput, options.error().message());
  WebConfig web;
  if (!flags.web_config_file.empty()) {
    auto web_config = load_web_config_file(flags.web_config_file);
    if (!web_config) return fail(kExitBadInput, web_config.error().message());
    web = std::move(*web_config);
  }
  std::cout << effective_config_yaml(flags, options->collectors.config, web);
  return 0;
}

int run_check() {
  const auto requirements = check_requirements();
  for (const auto& requirement : requirements)
    std::printf("%-8s %s: %s\n", requirement.ok ? "ok" : "missing", requirement.name.c_str(),
                requirement.detail.c_str());
  return first_missing(requirements).empty() ? 0 : kExitFailure;
}

int run_once(const DaemonFlags& flags) {
  auto options = exporter_options(flags);
  if (!options) return fail(kExitBadInput, options.error().message());
  auto exporter = open_exporter(std::move(*options));
  if (!exporter) return fail(kExitFailure, exporter.error().message());
  (*exporter)->collectors().refresh_now();
  auto snapshot = (*exporter)->publisher().publish_now();
  std::cout << exposition_text(*snapshot, {.scrapes = 1});
  return 0;
}

int run_daemon(const DaemonFlags& flags) {
  // A full pass's records take 560 bytes a task (28 MB at 50,000). glibc's dynamic mmap threshold
  // rises to the size of such a buffer once it is freed, so the next ones come from the heaps
  // and their pages stay resident: 83 MiB against 59 MiB here at 50,000 tasks after a minute of
  // collections. A fixed threshold gives every buffer above 1 MiB its own mapping, returned
  // to the kernel when freed.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  auto options = exporter_options(flags);
  if (!options) return fail(kExitBadInput, options.error().message());
  for (const std::string& listen_address : flags.web.listen_addresses)
    if (auto address = parse_listen_address(listen_address); !address)
      return fail(kExitBadInput, address.error().message());
  if (auto path = check_telemetry_path(flags.web.telemetry_path); !path) return fail(kExitBadInput, path.error().message());
  std::optional<RunAsUser> user;
  if (!flags.run_as.empty()) {
    auto resolved = resolve_run_as(flags.run_as);
    if (!resolved) return fail(kExitBadInput, resolved.error().message());
    user = std::move(*resolved);
  }
  WebOptions web = flags.web;
  if (!flags.web_config_file.empty()) {
    auto web_config = load_web_config_file(flags.web_config_file);
    if (!web_config) return fail(kExitBadInput, web_config.error().message());
    web.config = std::move(*web_config);
    // The certificate, key and CAs are part of the config: unusable ones are bad input (exit 2).
    if (web.config.tls)
      if (auto tls = TlsContext::load(*web.config.tls); !tls) return fail(kExitBadInput, tls.error().message());
  }

  RemoteWriteFlags remote_write_flags = flags.remote_write;
  if (!flags.config_file.empty())
    if (auto section = apply_remote_write_config(options->collectors.config.document, flags.config_file, remote_write_flags);
        !section)
      return fail(kExitBadInput, section.error().message());
  auto remote_write = remote_write_options(remote_write_flags, flags.rootfs, system_hostname());
  if (!remote_write) return fail(kExitBadInput, remote_write.error().message());

  auto effective = std::make_shared<EffectiveConfig>(flags, options->collectors.config, web.config);
  const bool switch_users = options->collectors.sources.has_run_as();
  if (switch_users) {
    // Each run_as command's child switches user: the daemon must be able to, or every run fails.
    const auto sets = thread_capabilities();
    const std::uint64_t needed = capability_bit(CAP_SETUID) | capability_bit(CAP_SETGID);
    if (user || !sets || (sets->permitted & needed) != needed)
      return fail(kExitBadInput, flags.config_file + ": command sources with run_as need the daemon to start with "
                                 "CAP_SETUID and CAP_SETGID and without --run-as (it switches to their users)");
  }

  // Block the signals before any thread starts, so that only the wait below receives them: a
  // reload then runs on this thread, and shutdown too.
  const BlockedSignals signals{SIGINT, SIGTERM, SIGHUP};

  auto exporter = open_exporter(std::move(*options));
  if (!exporter) return fail(kExitFailure, exporter.error().message());
  auto dropped = drop_daemon_privileges(flags, user, switch_users);
  if (!dropped) return fail(kExitFailure, dropped.error().message());
  (*exporter)->start();

  SnapshotPublisher& publisher = (*exporter)->publisher();
  // Pushing and serving read the same snapshots; /metrics shows the push queues' self-metrics.
  std::unique_ptr<RemoteWriter> pusher;
  ScrapeSource::RemoteWriteStatuses push_status;
  if (remote_write->enabled()) {
    pusher = std::make_unique<RemoteWriter>(std::move(*remote_write), publisher);
    push_status = [&pusher] { return pusher->status(); };
  }
  auto scrapes = std::make_shared<ScrapeSource>(publisher, push_status);
  auto server = WebServer::start(
      web, scrapes, [&publisher] { return health_json(publisher.latest().get()); },
      [effective] { return effective->yaml(); });
  if (!server) return fail(kExitFailure, server.error().message());
  spdlog::info("{}", *dropped);
  if (pusher) {
    pusher->set_scrapes([scrapes] { return scrapes->scrapes(); });
    pusher->start();
    for (const RemoteWriteStatus& queue : pusher->status()) spdlog::info("pushing to {}", queue.url);
  }
  for (const std::string& listen_address : flags.web.listen_addresses)
    spdlog::info("bpfproc {} listening on {}{}{}", kVersion, web.config.tls ? "https://" : "http://", listen_address,
                 flags.web.telemetry_path);

  // A new web config takes effect for new connections; one the server cannot use keeps the old.
  ConfigReloader reloader(
      reload_files(flags), **exporter,
      [&server](const WebConfig& config) -> Status { return (*server)->reconfigure(config); },
      [effective](const Config* rules, const WebConfig* web_config) { effective->reloaded(rules, web_config); });
  for (;;) {
    const int received = signals.wait();
    if (received != SIGHUP) {
      spdlog::info("received {}, shutting down", strsignal(received));
      break;
    }
    spdlog::info("received SIGHUP, reloading the configuration");
    // Logged and exported as bpfproc_exporter_config_last_reload_successful; the daemon goes on.
    (void)reloader.reload();
  }
  // The server goes first: it stops accepting and lets the requests under way finish. Then the
  // exporter stops collecting, settles the exits held in the kernel and detaches its programs.
  server->reset();
  pusher.reset();
  exporter->reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace bpfproc
