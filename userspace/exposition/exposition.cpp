#include "bpfproc/exposition/exposition.h"

#include <initializer_list>
#include <limits>
#include <utility>

namespace bpfproc {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr double kNanosecondsPerSecond = 1e9;

double seconds(std::uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / kNanosecondsPerSecond; }

MetricFamily family(std::string name, std::string help, MetricType type) {
  return MetricFamily{std::move(name), std::move(help), type, {}};
}

ClientMetric sample(std::vector<ClientMetric::Label> labels, MetricType type, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (type == MetricType::Counter) metric.counter.value = value;
  else metric.gauge.value = value;
  return metric;
}

void add(MetricFamily& family, std::vector<ClientMetric::Label> labels, double value) {
  family.metric.push_back(sample(std::move(labels), family.type, value));
}

// A Prometheus histogram from the kernel's log2 slots: a cumulative bucket at each slot bound the
// configuration keeps (`bucket_layout`); the overflow slot only counts in +Inf.
ClientMetric runqueue_histogram(std::vector<ClientMetric::Label> labels, const RunqueueLatency& latency,
                                const RunqueueBuckets& bucket_layout) {
  ClientMetric metric;
  metric.label = std::move(labels);
  RunqueueBuckets::Buckets buckets;
  const std::size_t finite = bucket_layout.cumulative(latency, buckets);
  for (std::size_t bucket = 0; bucket < finite; ++bucket)
    metric.histogram.bucket.push_back({buckets[bucket].cumulative_count, seconds(buckets[bucket].upper_bound_ns)});
  metric.histogram.sample_count = latency.count();
  metric.histogram.bucket.push_back({metric.histogram.sample_count, std::numeric_limits<double>::infinity()});
  metric.histogram.sample_sum = seconds(latency.sum_ns);
  return metric;
}

// A group's labels: group, its subgroup when it has one (a catalogue group; an empty label would
// be absent to Prometheus anyway), then the family's own.
std::vector<ClientMetric::Label> group_labels(const GroupTotals& group, std::initializer_list<ClientMetric::Label> rest) {
  std::vector<ClientMetric::Label> labels{{"group", group.name}};
  if (!group.subgroup.empty()) labels.push_back({"subgroup", group.subgroup});
  if (!group.cgroup_label.empty()) labels.push_back({std::string(group.cgroup_label_name), group.cgroup_label});
  labels.insert(labels.end(), rest.begin(), rest.end());
  return labels;
}

void add_group_families(const ExporterSnapshot& snapshot, std::vector<MetricFamily>& families) {
  auto processes = family("bpfproc_group_processes", "Live processes in the group.", MetricType::Gauge);
  auto threads = family("bpfproc_group_threads", "Live threads in the group's processes.", MetricType::Gauge);
  auto cpu = family("bpfproc_group_cpu_seconds_total",
                    "Exact CPU time of the group (kernel sum_exec_runtime), split into user and system "
                    "by the kernel's sampled ratio.",
                    MetricType::Counter);
  auto exits = family("bpfproc_group_process_exits_total", "Processes of the group that exited.",
                      MetricType::Counter);
  auto switches = family("bpfproc_group_context_switches_total", "Context switches of the group's threads.",
                         MetricType::Counter);
  auto migrations = family("bpfproc_group_migrations_total", "Migrations of the group's threads between CPUs.",
                           MetricType::Counter);
  auto run_delay = family("bpfproc_group_runqueue_wait_seconds_total",
                          "Time the group's threads spent runnable, waiting for a CPU (sched_info.run_delay).",
                          MetricType::Counter);
  // With the wait total, the mean wait per timeslice, at no per-switch cost: the kernel counts both.
  auto timeslices = family("bpfproc_group_timeslices_total",
                           "Times the group's threads were given a CPU (sched_info.pcount); "
                           "bpfproc_group_runqueue_wait_seconds_total divided by it is the mean wait.",
                           MetricType::Counter);
  auto latency = family("bpfproc_group_runqueue_latency_seconds",
                         "Run-queue latency of the group's threads: each wait from wakeup, or from "
                         "preemption, until running again. Waits since bpfproc started.",
                         MetricType::Histogram);
  auto io_bytes = family("bpfproc_group_io_bytes_total",
                         "Bytes the group's threads made storage read, and wrote or dirtied for storage "
                         "(/proc/PID/io read_bytes, write_bytes).",
                         MetricType::Counter);
  auto io_chars = family("bpfproc_group_io_chars_total",
                         "Bytes the group's threads passed through read and write system calls, page cache "
                         "hits included (/proc/PID/io rchar, wchar).",
                         MetricType::Counter);
  auto io_syscalls = family("bpfproc_group_io_syscalls_total",
                            "Read and write system calls of the group's threads (/proc/PID/io syscr, syscw).",
                            MetricType::Counter);
  auto faults = family("bpfproc_group_page_faults_total",
                       "Page faults of the group's threads: major ones read from storage, minor ones did not.",
                       MetricType::Counter);
  auto memory = family("bpfproc_group_memory_bytes",
                       "Memory of the group's live processes, summed over processes: resident (and its file, "
                       "anon and shmem parts) and virtual from the kernel's counters at each collection "
                       "(/proc/PID/stat rss, vsize); the others from smaps_rollup (rss double-counts shared "
                       "pages; pss does not).",
                       MetricType::Gauge);
  auto open_fds = family("bpfproc_group_open_fds", "Open file descriptors of the group's live processes.",
                         MetricType::Gauge);
  auto worst_fd_ratio = family("bpfproc_group_worst_fd_ratio",
                               "The highest open file descriptors over RLIMIT_NOFILE's soft limit among the "
                               "group's live processes.",
                               MetricType::Gauge);
  auto states = family("bpfproc_group_threads_by_state",
                       "Live threads of the group by state, as /proc/PID/stat shows it: running (R), sleeping "
                       "(S), waiting (D), zombie (Z), other.",
                       MetricType::Gauge);
  auto oldest = family("bpfproc_group_oldest_start_time_seconds",
                       "Start time of the group's oldest live process, in seconds since the epoch.",
                       MetricType::Gauge);

  for (const GroupTotals& group : snapshot.groups) {
    const auto labels = [&](std::initializer_list<ClientMetric::Label> rest = {}) { return group_labels(group, rest); };
    add(processes, labels(), static_cast<double>(group.processes));
    add(threads, labels(), static_cast<double>(group.threads));
    add(cpu, labels({{"mode", "system"}}), seconds(group.counters.system_ns));
    add(cpu, labels({{"mode", "user"}}), seconds(group.counters.user_ns));
    add(exits, labels(), static_cast<double>(group.exits));
    add(switches, labels({{"kind", "involuntary"}}), static_cast<double>(group.counters.involuntary_switches));
    add(switches, labels({{"kind", "voluntary"}}), static_cast<double>(group.counters.voluntary_switches));
    add(migrations, labels(), static_cast<double>(group.counters.migrations));
    add(run_delay, labels(), seconds(group.counters.run_delay_ns));
    add(timeslices, labels(), static_cast<double>(group.counters.timeslices));
    if (snapshot.runqueue_latency_enabled)
      latency.metric.push_back(
          runqueue_histogram(labels(), group.counters.runqueue_latency, snapshot.runqueue_latency_buckets));
    const Counters& used = group.counters;
    add(io_bytes, labels({{"direction", "read"}}), static_cast<double>(used.read_bytes));
    add(io_bytes, labels({{"direction", "write"}}), static_cast<double>(used.write_bytes));
    add(io_chars, labels({{"direction", "read"}}), static_cast<double>(used.read_chars));
    add(io_chars, labels({{"direction", "write"}}), static_cast<double>(used.write_chars));
    add(io_syscalls, labels({{"direction", "read"}}), static_cast<double>(used.read_syscalls));
    add(io_syscalls, labels({{"direction", "write"}}), static_cast<double>(used.write_syscalls));
    add(faults, labels({{"kind", "major"}}), static_cast<double>(used.major_faults));
    add(faults, labels({{"kind", "minor"}}), static_cast<double>(used.minor_faults));
    // Kinds in name order, smaps_rollup's only with a reading.
    const bool smaps = snapshot.memory_enabled && group.has_memory;
    const std::tuple<const char*, std::uint64_t, bool> kinds[] = {
        {"pss", group.memory.pss, smaps},
        {"pss_anon", group.memory.pss_anon, smaps},
        {"pss_file", group.memory.pss_file, smaps},
        {"pss_shmem", group.memory.pss_shmem, smaps},
        {"resident", group.gauges.resident_bytes, true},
        {"resident_anon", group.gauges.resident_anon_bytes, true},
        {"resident_file", group.gauges.resident_file_bytes, true},
        {"resident_shmem", group.gauges.resident_shmem_bytes, true},
        {"rss", group.memory.rss, smaps},
        {"swap", group.memory.swap, smaps},
        {"swap_pss", group.memory.swap_pss, smaps},
        {"uss", group.memory.uss, smaps},
        {"virtual", group.gauges.virtual_bytes, true}};
    for (const auto& [kind, bytes, shown] : kinds)
      if (shown) add(memory, labels({{"kind", kind}}), static_cast<double>(bytes));
    add(open_fds, labels(), static_cast<double>(group.gauges.open_fds));
    add(worst_fd_ratio, labels(), group.gauges.worst_fd_ratio);
    for (std::size_t state = 0; state < kThreadStates; ++state)
      add(states, labels({{"state", std::string(state_name(static_cast<ThreadState>(state)))}}),
          static_cast<double>(group.gauges.thread_states[state]));
    if (group.processes > 0)
      add(oldest, labels(), snapshot.boot_time_unix_seconds + seconds(group.oldest_start_ns));
  }
  for (auto* built : {&processes, &threads, &cpu, &exits, &switches, &migrations, &run_delay, &timeslices, &io_bytes,
                      &io_chars, &io_syscalls, &faults, &memory, &open_fds, &worst_fd_ratio, &states, &oldest})
    families.push_back(std::move(*built));
  if (snapshot.runqueue_latency_enabled) families.push_back(std::move(latency));
  if (!has_thread_names(snapshot)) return;

  auto thread_count = family("bpfproc_thread_count", "Live threads of the group's processes with this name (comm).",
                             MetricType::Gauge);
  auto thread_cpu = family("bpfproc_thread_cpu_seconds_total",
                           "Exact CPU time of the group's threads with this name, live ones and those that exited.",
                           MetricType::Counter);
  auto thread_switches = family("bpfproc_thread_context_switches_total",
                                "Context switches of the group's threads with this name, live ones and those that "
                                "exited.",
                                MetricType::Counter);
  for (const GroupTotals& group : snapshot.groups) {
    for (const ThreadNameTotals& thread : group.thread_names) {
      const ClientMetric::Label thread_name{"thread", thread.name};
      add(thread_count, group_labels(group, {thread_name}), static_cast<double>(thread.live_threads));
      add(thread_cpu, group_labels(group, {thread_name}), seconds(thread.counters.runtime_ns));
      add(thread_switches, group_labels(group, {thread_name, {"kind", "involuntary"}}),
          static_cast<double>(thread.counters.involuntary_switches));
      add(thread_switches, group_labels(group, {thread_name, {"kind", "voluntary"}}),
          static_cast<double>(thread.counters.voluntary_switches));
    }
  }
  for (auto* built : {&thread_count, &thread_cpu, &thread_switches}) families.push_back(std::move(*built));
}

void add_top_process_families(const ExporterSnapshot& snapshot, std::vector<MetricFamily>& families) {
  if (!has_top_processes(snapshot)) return;
  auto cpu = family("bpfproc_process_cpu_seconds_total",
                    "Exact CPU time of a member in its group, for the members that used the most CPU since the last "
                    "collection (--process.top-n).",
                    MetricType::Counter);
  auto memory = family("bpfproc_process_memory_bytes",
                       "Memory of the same members and of those with the highest USS: resident from the kernel's "
                       "counters, pss and uss from smaps_rollup.",
                       MetricType::Gauge);
  for (const GroupTotals& group : snapshot.groups) {
    for (const ProcessTotals& process : group.top_processes) {
      const std::vector<ClientMetric::Label> labels =
          group_labels(group, {{"pid", std::to_string(process.pid)}, {"comm", process.comm}});
      add(cpu, labels, seconds(process.runtime_ns));
      const auto with_kind = [&](const char* kind) {
        auto kinded = labels;
        kinded.push_back({"kind", kind});
        return kinded;
      };
      if (snapshot.memory_enabled && process.has_memory) add(memory, with_kind("pss"), static_cast<double>(process.pss_bytes));
      add(memory, with_kind("resident"), static_cast<double>(process.resident_bytes));
      if (snapshot.memory_enabled && process.has_memory) add(memory, with_kind("uss"), static_cast<double>(process.uss_bytes));
    }
  }
  families.push_back(std::move(cpu));
  families.push_back(std::move(memory));
}

void add_process_families(const SelfMetrics& self, std::vector<MetricFamily>& families) {
  const std::tuple<const char*, const char*, MetricType, double> rows[] = {
      {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::Counter,
       self.cpu_seconds},
      {"process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge, self.max_fds},
      {"process_open_fds", "Number of open file descriptors.", MetricType::Gauge, self.open_fds},
      {"process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
       self.resident_memory_bytes},
      {"process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
       MetricType::Gauge, self.start_time_seconds},
      {"process_threads", "Number of OS threads in the process.", MetricType::Gauge, self.threads},
      {"process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
       self.virtual_memory_bytes},
  };
  for (const auto& [name, help, type, value] : rows) {
    auto built = family(name, help, type);
    add(built, {}, value);
    families.push_back(std::move(built));
  }
}

void add_exporter_families(const ExporterSnapshot& snapshot, const ReaderCounts& reader,
                           std::vector<MetricFamily>& families) {
  auto build = family("bpfproc_exporter_build_info", "Build of this bpfproc; the value is always 1.",
                      MetricType::Gauge);
  add(build, {{"kernel", snapshot.build.kernel}, {"libbpf_version", snapshot.build.libbpf_version},
              {"revision", snapshot.build.revision}, {"version", snapshot.build.version}}, 1);
  families.push_back(std::move(build));

  auto duration = family("bpfproc_exporter_collector_duration_seconds", "Wall time of collector runs.",
                         MetricType::Histogram);
  auto cpu = family("bpfproc_exporter_collector_cpu_seconds_total",
                    "CPU time of collector runs, from the collecting thread's own clock.", MetricType::Counter);
  auto errors = family("bpfproc_exporter_collector_errors_total", "Errors met by collector runs.",
                       MetricType::Counter);
  auto success = family("bpfproc_exporter_collector_success", "Whether the collector's last run succeeded.",
                        MetricType::Gauge);
  auto last_run = family("bpfproc_exporter_collector_last_run_timestamp_seconds",
                         "When the collector last finished a run, in seconds since the epoch.", MetricType::Gauge);
  for (const CollectorStatus& collector : snapshot.collectors) {
    const ClientMetric::Label name{"collector", collector.name};
    ClientMetric histogram;
    histogram.label = {name};
    histogram.histogram.sample_count = collector.count;
    histogram.histogram.sample_sum = collector.sum_seconds;
    std::uint64_t cumulative = 0;
    for (std::size_t index = 0; index < CollectorStatus::kBuckets.size(); ++index) {
      cumulative += collector.bucket_counts[index];
      histogram.histogram.bucket.push_back({cumulative, CollectorStatus::kBuckets[index]});
    }
    histogram.histogram.bucket.push_back({collector.count, std::numeric_limits<double>::infinity()});
    duration.metric.push_back(std::move(histogram));
    add(cpu, {name}, collector.cpu_seconds);
    add(errors, {name}, static_cast<double>(collector.errors));
    add(success, {name}, collector.success ? 1 : 0);
    add(last_run, {name}, collector.last_run_unix_seconds);
  }
  for (auto* built : {&duration, &cpu, &errors, &success, &last_run}) families.push_back(std::move(*built));

  if (!snapshot.bpf_programs.empty()) {
    auto run_time = family("bpfproc_exporter_bpf_program_run_seconds_total",
                           "Time the kernel spent in each BPF program while statistics were on (--bpf.stats).",
                           MetricType::Counter);
    auto runs = family("bpfproc_exporter_bpf_program_runs_total",
                       "Runs of each BPF program while statistics were on (--bpf.stats).", MetricType::Counter);
    for (const ProgramStats& program : snapshot.bpf_programs) {
      add(run_time, {{"program", program.name}}, seconds(program.run_time_ns));
      add(runs, {{"program", program.name}}, static_cast<double>(program.runs));
    }
    families.push_back(std::move(run_time));
    families.push_back(std::move(runs));
  }

  if (snapshot.memory_refresher) {
    const MemoryRefresherStatus& memory = *snapshot.memory_refresher;
    auto age = family("bpfproc_exporter_memory_data_age_seconds",
                      "Age of the smaps_rollup data over the live grouped processes it is read for: max and median.",
                      MetricType::Gauge);
    add(age, {{"statistic", "max"}}, memory.age_max_seconds);
    add(age, {{"statistic", "median"}}, memory.age_median_seconds);
    families.push_back(std::move(age));
    auto read_seconds = family("bpfproc_exporter_memory_read_seconds_total",
                               "CPU time of the memory refresher's smaps_rollup reads.", MetricType::Counter);
    add(read_seconds, {}, memory.read_cpu_seconds);
    families.push_back(std::move(read_seconds));
    auto reads = family("bpfproc_exporter_memory_reads_total", "smaps_rollup reads made by the memory refresher.",
                        MetricType::Counter);
    add(reads, {}, static_cast<double>(memory.reads));
    families.push_back(std::move(reads));
    auto skipped = family("bpfproc_exporter_memory_skipped_total",
                          "Memory reads not made: the CPU budget was spent (budget), the process was gone (gone) "
                          "or below --memory.min-rss (min_rss).",
                          MetricType::Counter);
    for (const auto& [reason, count] : memory.skipped) add(skipped, {{"reason", reason}}, static_cast<double>(count));
    families.push_back(std::move(skipped));
  }

  auto lost = family("bpfproc_exporter_events_lost_total",
                     "Kernel events bpfproc could not account for, by source.", MetricType::Counter);
  for (const auto& [source, count] : snapshot.events_lost) add(lost, {{"source", source}}, static_cast<double>(count));
  families.push_back(std::move(lost));

  const std::tuple<const char*, const char*, MetricType, double> rows[] = {
      {"bpfproc_exporter_scrapes_total", "Scrapes served.", MetricType::Counter,
       static_cast<double>(reader.scrapes)},
      {"bpfproc_exporter_tracked_processes", "Processes in bpfproc's table, grouped or not.", MetricType::Gauge,
       static_cast<double>(snapshot.tracked_processes)},
      {"bpfproc_exporter_processes_dropped_total",
       "New processes not tracked because the table was at --process.max-tracked; their usage is not counted.",
       MetricType::Counter, static_cast<double>(snapshot.processes_dropped)},
      {"bpfproc_exporter_groups_retired_total", "Groups removed after --group.retention without a member.",
       MetricType::Counter, static_cast<double>(snapshot.groups_retired)},
      {"bpfproc_exporter_labels_truncated_total", "Group names cut to --label.max-length.", MetricType::Counter,
       static_cast<double>(snapshot.labels_truncated)},
      {"bpfproc_exporter_series_dropped_total",
       "Series of whole groups left out by --series.limit, summed over collections.", MetricType::Counter,
       static_cast<double>(snapshot.series_dropped)},
      {"bpfproc_exporter_group_series", "Series of the groups in this exposition, which --series.limit bounds.",
       MetricType::Gauge, static_cast<double>(snapshot.group_series)},
      {"bpfproc_exporter_series_limit", "--series.limit: series of groups at most (0: no limit).",
       MetricType::Gauge, static_cast<double>(snapshot.series_limit)},
      {"bpfproc_exporter_cpu_cores", "Online CPUs of the host.", MetricType::Gauge,
       static_cast<double>(snapshot.cpu_cores)},
      {"bpfproc_exporter_config_last_reload_successful",
       "Whether the last reload of the configuration files (SIGHUP) succeeded.", MetricType::Gauge,
       snapshot.config_last_reload_successful ? 1.0 : 0.0},
      {"bpfproc_exporter_config_last_reload_success_timestamp_seconds",
       "When the configuration files were last loaded successfully, in seconds since the epoch.", MetricType::Gauge,
       snapshot.config_last_reload_success_unix_seconds},
  };
  for (const auto& [name, help, type, value] : rows) {
    auto built = family(name, help, type);
    add(built, {}, value);
    families.push_back(std::move(built));
  }
}

}  // namespace

std::size_t count_series(const std::vector<MetricFamily>& families) {
  std::size_t series = 0;
  for (const MetricFamily& built : families) {
    for (const ClientMetric& metric : built.metric) {
      // A histogram prints one line per bucket (+Inf included) plus _sum and _count.
      series += built.type == MetricType::Histogram ? metric.histogram.bucket.size() + 2 : 1;
    }
  }
  return series;
}

std::vector<MetricFamily> build_exposition(const ExporterSnapshot& snapshot, const ReaderCounts& reader) {
  std::vector<MetricFamily> families;
  add_group_families(snapshot, families);
  add_top_process_families(snapshot, families);
  if (snapshot.self) add_process_families(*snapshot.self, families);
  add_exporter_families(snapshot, reader, families);

  // The series count includes its own sample.
  auto series = family("bpfproc_exporter_series", "Series in this exposition, this one included.",
                       MetricType::Gauge);
  add(series, {}, static_cast<double>(count_series(families) + 1));
  families.push_back(std::move(series));
  return families;
}

}  // namespace bpfproc
