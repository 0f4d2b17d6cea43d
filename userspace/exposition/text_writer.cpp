#include "bpfproc/exposition/text_writer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>

#include "bpfproc/exposition/compat_families.h"
#include "bpfproc/exposition/host_families.h"
#include "bpfproc/exposition/series_limit.h"
#include "bpfproc/exposition/text_format.h"

namespace bpfproc {
namespace {

// An upper estimate of the text, so that it is allocated once: about 80 bytes of name, labels
// and value per line besides the group name, and 16 KiB for the constant families.
std::size_t estimated_size(const ExporterSnapshot& snapshot) {
  std::size_t bytes = 16384 + host_families_size(snapshot);
  for (const GroupTotals& group : snapshot.groups)
    bytes += group_series(snapshot, group) * (80 + group.name.size() + group.subgroup.size() + group.cgroup_label.size());
  return bytes;
}

void write_group_families(const ExporterSnapshot& snapshot, TextWriter& writer) {
  const auto& groups = snapshot.groups;
  // Each family lists every group, in the order of the snapshot, as build_exposition does.
  auto per_group = [&](std::string_view name, std::string_view help, std::string_view type, auto write) {
    writer.family(name, help, type);
    GroupLabelStorage subgroup;
    for (const GroupTotals& group : groups) write(name, group, group_label("group", group, subgroup));
  };

  per_group("bpfproc_group_processes", "Live processes in the group.", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, static_cast<double>(group.processes));
            });
  per_group("bpfproc_group_threads", "Live threads in the group's processes.", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, static_cast<double>(group.threads));
            });
  per_group("bpfproc_group_cpu_seconds_total",
            "Exact CPU time of the group (kernel sum_exec_runtime), split into user and system by the kernel's "
            "sampled ratio.",
            "counter", [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label, {"mode", "system"}}, seconds(group.counters.system_ns));
              writer.sample(name, {label, {"mode", "user"}}, seconds(group.counters.user_ns));
            });
  per_group("bpfproc_group_process_exits_total", "Processes of the group that exited.", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, static_cast<double>(group.exits));
            });
  per_group("bpfproc_group_context_switches_total", "Context switches of the group's threads.", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label, {"kind", "involuntary"}},
                            static_cast<double>(group.counters.involuntary_switches));
              writer.sample(name, {label, {"kind", "voluntary"}},
                            static_cast<double>(group.counters.voluntary_switches));
            });
  per_group("bpfproc_group_migrations_total", "Migrations of the group's threads between CPUs.", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, static_cast<double>(group.counters.migrations));
            });
  per_group("bpfproc_group_runqueue_wait_seconds_total",
            "Time the group's threads spent runnable, waiting for a CPU (sched_info.run_delay).", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, seconds(group.counters.run_delay_ns));
            });
  per_group("bpfproc_group_timeslices_total",
            "Times the group's threads were given a CPU (sched_info.pcount); "
            "bpfproc_group_runqueue_wait_seconds_total divided by it is the mean wait.",
            "counter", [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, static_cast<double>(group.counters.timeslices));
            });
  const auto directions = [&](std::string_view name, Label label, std::uint64_t read, std::uint64_t write) {
    writer.sample(name, {label, {"direction", "read"}}, static_cast<double>(read));
    writer.sample(name, {label, {"direction", "write"}}, static_cast<double>(write));
  };
  per_group("bpfproc_group_io_bytes_total",
            "Bytes the group's threads made storage read, and wrote or dirtied for storage (/proc/PID/io "
            "read_bytes, write_bytes).",
            "counter", [&](std::string_view name, const GroupTotals& group, Label label) {
              directions(name, label, group.counters.read_bytes, group.counters.write_bytes);
            });
  per_group("bpfproc_group_io_chars_total",
            "Bytes the group's threads passed through read and write system calls, page cache hits included "
            "(/proc/PID/io rchar, wchar).",
            "counter", [&](std::string_view name, const GroupTotals& group, Label label) {
              directions(name, label, group.counters.read_chars, group.counters.write_chars);
            });
  per_group("bpfproc_group_io_syscalls_total",
            "Read and write system calls of the group's threads (/proc/PID/io syscr, syscw).", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              directions(name, label, group.counters.read_syscalls, group.counters.write_syscalls);
            });
  per_group("bpfproc_group_page_faults_total",
            "Page faults of the group's threads: major ones read from storage, minor ones did not.", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label, {"kind", "major"}}, static_cast<double>(group.counters.major_faults));
              writer.sample(name, {label, {"kind", "minor"}}, static_cast<double>(group.counters.minor_faults));
            });
  per_group("bpfproc_group_memory_bytes",
            "Memory of the group's live processes, summed over processes: resident (and its file, anon and "
            "shmem parts) and virtual from the kernel's counters at each collection (/proc/PID/stat rss, "
            "vsize); the others from smaps_rollup (rss double-counts shared pages; pss does not).",
            "gauge", [&](std::string_view name, const GroupTotals& group, Label label) {
              const bool smaps = snapshot.memory_enabled && group.has_memory;
              const std::pair<std::string_view, std::uint64_t> kinds[] = {
                  {"pss", group.memory.pss},
                  {"pss_anon", group.memory.pss_anon},
                  {"pss_file", group.memory.pss_file},
                  {"pss_shmem", group.memory.pss_shmem},
                  {"resident", group.gauges.resident_bytes},
                  {"resident_anon", group.gauges.resident_anon_bytes},
                  {"resident_file", group.gauges.resident_file_bytes},
                  {"resident_shmem", group.gauges.resident_shmem_bytes},
                  {"rss", group.memory.rss},
                  {"swap", group.memory.swap},
                  {"swap_pss", group.memory.swap_pss},
                  {"uss", group.memory.uss},
                  {"virtual", group.gauges.virtual_bytes}};
              for (const auto& [kind, bytes] : kinds)
                if (smaps || kind.starts_with("resident") || kind == "virtual")
                  writer.sample(name, {label, {"kind", kind}}, static_cast<double>(bytes));
            });
  per_group("bpfproc_group_open_fds", "Open file descriptors of the group's live processes.", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, static_cast<double>(group.gauges.open_fds));
            });
  per_group("bpfproc_group_worst_fd_ratio",
            "The highest open file descriptors over RLIMIT_NOFILE's soft limit among the group's live processes.",
            "gauge", [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, group.gauges.worst_fd_ratio);
            });
  per_group("bpfproc_group_threads_by_state",
            "Live threads of the group by state, as /proc/PID/stat shows it: running (R), sleeping (S), waiting "
            "(D), zombie (Z), other.",
            "gauge", [&](std::string_view name, const GroupTotals& group, Label label) {
              for (std::size_t state = 0; state < kThreadStates; ++state)
                writer.sample(name, {label, {"state", state_name(static_cast<ThreadState>(state))}},
                              static_cast<double>(group.gauges.thread_states[state]));
            });
  per_group("bpfproc_group_oldest_start_time_seconds",
            "Start time of the group's oldest live process, in seconds since the epoch.", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              if (group.processes > 0)
                writer.sample(name, {label}, snapshot.boot_time_unix_seconds + seconds(group.oldest_start_ns));
            });
  if (!snapshot.runqueue_latency_enabled) return;
  // The buckets end at the slot bounds the snapshot's configuration keeps; the overflow slot only
  // counts in +Inf.
  const RunqueueBuckets& bucket_layout = snapshot.runqueue_latency_buckets;
  per_group("bpfproc_group_runqueue_latency_seconds",
            "Run-queue latency of the group's threads: each wait from wakeup, or from preemption, until running "
            "again. Waits since bpfproc started.",
            "histogram", [&](std::string_view name, const GroupTotals& group, Label label) {
              const RunqueueLatency& latency = group.counters.runqueue_latency;
              RunqueueBuckets::Buckets buckets;
              const std::size_t finite = bucket_layout.cumulative(latency, buckets);
              writer.histogram(
                  name, label, latency.count(), seconds(latency.sum_ns), finite,
                  [&](std::size_t bucket) { return seconds(buckets[bucket].upper_bound_ns); },
                  [&](std::size_t bucket) { return buckets[bucket].cumulative_count; });
            });
}

// The per-thread-name breakdown (--threads): each thread name of each group, in name order.
void write_thread_families(const ExporterSnapshot& snapshot, TextWriter& writer) {
  if (!has_thread_names(snapshot)) return;
  auto per_thread_name = [&](std::string_view name, std::string_view help, std::string_view type, auto write) {
    writer.family(name, help, type);
    GroupLabelStorage subgroup;
    for (const GroupTotals& group : snapshot.groups)
      for (const ThreadNameTotals& thread : group.thread_names)
        write(name, thread, group_label("group", group, subgroup), Label{"thread", thread.name});
  };
  per_thread_name("bpfproc_thread_count", "Live threads of the group's processes with this name (comm).", "gauge",
                  [&](std::string_view name, const ThreadNameTotals& thread, Label group, Label label) {
                    writer.sample(name, {group, label}, static_cast<double>(thread.live_threads));
                  });
  per_thread_name("bpfproc_thread_cpu_seconds_total",
                  "Exact CPU time of the group's threads with this name, live ones and those that exited.", "counter",
                  [&](std::string_view name, const ThreadNameTotals& thread, Label group, Label label) {
                    writer.sample(name, {group, label}, seconds(thread.counters.runtime_ns));
                  });
  per_thread_name("bpfproc_thread_context_switches_total",
                  "Context switches of the group's threads with this name, live ones and those that exited.",
                  "counter", [&](std::string_view name, const ThreadNameTotals& thread, Label group, Label label) {
                    writer.sample(name, {group, label, {"kind", "involuntary"}},
                                  static_cast<double>(thread.counters.involuntary_switches));
                    writer.sample(name, {group, label, {"kind", "voluntary"}},
                                  static_cast<double>(thread.counters.voluntary_switches));
                  });
}

// Members exported one by one (--process.top-n), each group's by pid.
void write_top_process_families(const ExporterSnapshot& snapshot, TextWriter& writer) {
  if (!has_top_processes(snapshot)) return;
  auto per_process = [&](std::string_view name, std::string_view help, std::string_view type, auto write) {
    writer.family(name, help, type);
    char digits[16];
    GroupLabelStorage subgroup;
    for (const GroupTotals& group : snapshot.groups)
      for (const ProcessTotals& process : group.top_processes) {
        const auto [end, error] = std::to_chars(digits, digits + sizeof digits, process.pid);
        write(name, process, group_label("group", group, subgroup), Label{"pid", std::string_view(digits, end - digits)},
              Label{"comm", process.comm});
      }
  };
  per_process("bpfproc_process_cpu_seconds_total",
              "Exact CPU time of a member in its group, for the members that used the most CPU since the last "
              "collection (--process.top-n).",
              "counter", [&](std::string_view name, const ProcessTotals& process, Label group, Label pid, Label comm) {
                writer.sample(name, {group, pid, comm}, seconds(process.runtime_ns));
              });
  per_process("bpfproc_process_memory_bytes",
              "Memory of the same members and of those with the highest USS: resident from the kernel's counters, "
              "pss and uss from smaps_rollup.",
              "gauge", [&](std::string_view name, const ProcessTotals& process, Label group, Label pid, Label comm) {
                if (snapshot.memory_enabled && process.has_memory)
                  writer.sample(name, {group, pid, comm, {"kind", "pss"}}, static_cast<double>(process.pss_bytes));
                writer.sample(name, {group, pid, comm, {"kind", "resident"}}, static_cast<double>(process.resident_bytes));
                if (snapshot.memory_enabled && process.has_memory)
                  writer.sample(name, {group, pid, comm, {"kind", "uss"}}, static_cast<double>(process.uss_bytes));
              });
}

void write_process_families(const SelfMetrics& self, TextWriter& writer) {
  const std::tuple<std::string_view, std::string_view, std::string_view, double> rows[] = {
      {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", self.cpu_seconds},
      {"process_max_fds", "Maximum number of open file descriptors.", "gauge", self.max_fds},
      {"process_open_fds", "Number of open file descriptors.", "gauge", self.open_fds},
      {"process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", self.resident_memory_bytes},
      {"process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge",
       self.start_time_seconds},
      {"process_threads", "Number of OS threads in the process.", "gauge", self.threads},
      {"process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", self.virtual_memory_bytes},
  };
  for (const auto& [name, help, type, value] : rows) {
    writer.family(name, help, type);
    writer.sample(name, {}, value);
  }
}

void write_remote_write_families(const std::vector<RemoteWriteStatus>& queues, TextWriter& writer) {
  constexpr std::string_view samples = "bpfproc_remote_write_samples_total";
  writer.family(samples, "Samples of remote_write pushes, by receiver and result (a retried sample counts once per retry).",
                "counter");
  for (const RemoteWriteStatus& queue : queues) {
    const std::pair<std::string_view, std::uint64_t> results[] = {{"dropped", queue.samples_dropped},
                                                                   {"failed", queue.samples_failed},
                                                                   {"retried", queue.samples_retried},
                                                                   {"sent", queue.samples_sent}};
    for (const auto& [result, count] : results)
      writer.sample(samples, {{"result", result}, {"url", queue.url}}, static_cast<double>(count));
  }
  writer.family("bpfproc_remote_write_queue_samples", "Samples waiting in the remote_write queue of a receiver.", "gauge");
  for (const RemoteWriteStatus& queue : queues)
    writer.sample("bpfproc_remote_write_queue_samples", {{"url", queue.url}}, static_cast<double>(queue.queue_samples));
  writer.family("bpfproc_remote_write_last_success_timestamp_seconds",
                "When a push to the receiver last succeeded, in seconds since the epoch (0: never).", "gauge");
  for (const RemoteWriteStatus& queue : queues)
    writer.sample("bpfproc_remote_write_last_success_timestamp_seconds", {{"url", queue.url}},
                  queue.last_success_unix_seconds);
  constexpr std::string_view duration = "bpfproc_remote_write_request_duration_seconds";
  writer.family(duration, "Wall time of remote_write requests, answered or not.", "histogram");
  for (const RemoteWriteStatus& queue : queues) {
    std::uint64_t cumulative = 0;
    writer.histogram(
        duration, {"url", queue.url}, queue.duration_count, queue.duration_sum_seconds,
        RemoteWriteStatus::kDurationBuckets.size(),
        [](std::size_t bucket) { return RemoteWriteStatus::kDurationBuckets[bucket]; },
        [&](std::size_t bucket) { return cumulative += queue.duration_bucket_counts[bucket]; });
  }
}

void write_exporter_families(const ExporterSnapshot& snapshot, const ReaderCounts& reader, TextWriter& writer) {
  writer.family("bpfproc_exporter_build_info", "Build of this bpfproc; the value is always 1.", "gauge");
  writer.sample("bpfproc_exporter_build_info",
                {{"kernel", snapshot.build.kernel},
                 {"libbpf_version", snapshot.build.libbpf_version},
                 {"revision", snapshot.build.revision},
                 {"version", snapshot.build.version}},
                1);

  const auto& collectors = snapshot.collectors;
  constexpr std::string_view duration = "bpfproc_exporter_collector_duration_seconds";
  writer.family(duration, "Wall time of collector runs.", "histogram");
  for (const CollectorStatus& collector : collectors) {
    std::uint64_t cumulative = 0;
    writer.histogram(
        duration, {"collector", collector.name}, collector.count, collector.sum_seconds,
        CollectorStatus::kBuckets.size(), [](std::size_t bucket) { return CollectorStatus::kBuckets[bucket]; },
        [&](std::size_t bucket) { return cumulative += collector.bucket_counts[bucket]; });
  }
  auto per_collector = [&](std::string_view name, std::string_view help, std::string_view type, auto value) {
    writer.family(name, help, type);
    for (const CollectorStatus& collector : collectors)
      writer.sample(name, {{"collector", collector.name}}, value(collector));
  };
  per_collector("bpfproc_exporter_collector_cpu_seconds_total",
                "CPU time of collector runs, from the collecting thread's own clock.", "counter",
                [](const CollectorStatus& collector) { return collector.cpu_seconds; });
  per_collector("bpfproc_exporter_collector_errors_total", "Errors met by collector runs.", "counter",
                [](const CollectorStatus& collector) { return static_cast<double>(collector.errors); });
  per_collector("bpfproc_exporter_collector_success", "Whether the collector's last run succeeded.", "gauge",
                [](const CollectorStatus& collector) { return collector.success ? 1.0 : 0.0; });
  per_collector("bpfproc_exporter_collector_last_run_timestamp_seconds",
                "When the collector last finished a run, in seconds since the epoch.", "gauge",
                [](const CollectorStatus& collector) { return collector.last_run_unix_seconds; });

  if (!snapshot.bpf_programs.empty()) {
    writer.family("bpfproc_exporter_bpf_program_run_seconds_total",
                  "Time the kernel spent in each BPF program while statistics were on (--bpf.stats).", "counter");
    for (const ProgramStats& program : snapshot.bpf_programs)
      writer.sample("bpfproc_exporter_bpf_program_run_seconds_total", {{"program", program.name}},
                    seconds(program.run_time_ns));
    writer.family("bpfproc_exporter_bpf_program_runs_total",
                  "Runs of each BPF program while statistics were on (--bpf.stats).", "counter");
    for (const ProgramStats& program : snapshot.bpf_programs)
      writer.sample("bpfproc_exporter_bpf_program_runs_total", {{"program", program.name}},
                    static_cast<double>(program.runs));
  }

  if (snapshot.memory_refresher) {
    const MemoryRefresherStatus& memory = *snapshot.memory_refresher;
    writer.family("bpfproc_exporter_memory_data_age_seconds",
                  "Age of the smaps_rollup data over the live grouped processes it is read for: max and median.",
                  "gauge");
    writer.sample("bpfproc_exporter_memory_data_age_seconds", {{"statistic", "max"}}, memory.age_max_seconds);
    writer.sample("bpfproc_exporter_memory_data_age_seconds", {{"statistic", "median"}}, memory.age_median_seconds);
    writer.family("bpfproc_exporter_memory_read_seconds_total",
                  "CPU time of the memory refresher's smaps_rollup reads.", "counter");
    writer.sample("bpfproc_exporter_memory_read_seconds_total", {}, memory.read_cpu_seconds);
    writer.family("bpfproc_exporter_memory_reads_total", "smaps_rollup reads made by the memory refresher.", "counter");
    writer.sample("bpfproc_exporter_memory_reads_total", {}, static_cast<double>(memory.reads));
    writer.family("bpfproc_exporter_memory_skipped_total",
                  "Memory reads not made: the CPU budget was spent (budget), the process was gone (gone) "
                  "or below --memory.min-rss (min_rss).",
                  "counter");
    for (const auto& [reason, count] : memory.skipped)
      writer.sample("bpfproc_exporter_memory_skipped_total", {{"reason", reason}}, static_cast<double>(count));
  }

  writer.family("bpfproc_exporter_events_lost_total", "Kernel events bpfproc could not account for, by source.",
                "counter");
  for (const auto& [source, count] : snapshot.events_lost)
    writer.sample("bpfproc_exporter_events_lost_total", {{"source", source}}, static_cast<double>(count));

  const std::tuple<std::string_view, std::string_view, std::string_view, double> rows[] = {
      {"bpfproc_exporter_scrapes_total", "Scrapes served.", "counter", static_cast<double>(reader.scrapes)},
      {"bpfproc_exporter_tracked_processes", "Processes in bpfproc's table, grouped or not.", "gauge",
       static_cast<double>(snapshot.tracked_processes)},
      {"bpfproc_exporter_processes_dropped_total",
       "New processes not tracked because the table was at --process.max-tracked; their usage is not counted.",
       "counter", static_cast<double>(snapshot.processes_dropped)},
      {"bpfproc_exporter_groups_retired_total", "Groups removed after --group.retention without a member.",
       "counter", static_cast<double>(snapshot.groups_retired)},
      {"bpfproc_exporter_labels_truncated_total", "Group names cut to --label.max-length.", "counter",
       static_cast<double>(snapshot.labels_truncated)},
      {"bpfproc_exporter_series_dropped_total",
       "Series of whole groups left out by --series.limit, summed over collections.", "counter",
       static_cast<double>(snapshot.series_dropped)},
      {"bpfproc_exporter_group_series", "Series of the groups in this exposition, which --series.limit bounds.",
       "gauge", static_cast<double>(snapshot.group_series)},
      {"bpfproc_exporter_series_limit", "--series.limit: series of groups at most (0: no limit).", "gauge",
       static_cast<double>(snapshot.series_limit)},
      {"bpfproc_exporter_cpu_cores", "Online CPUs of the host.", "gauge", static_cast<double>(snapshot.cpu_cores)},
      {"bpfproc_exporter_config_last_reload_successful",
       "Whether the last reload of the configuration files (SIGHUP) succeeded.", "gauge",
       snapshot.config_last_reload_successful ? 1.0 : 0.0},
      {"bpfproc_exporter_config_last_reload_success_timestamp_seconds",
       "When the configuration files were last loaded successfully, in seconds since the epoch.", "gauge",
       snapshot.config_last_reload_success_unix_seconds},
  };
  for (const auto& [name, help, type, value] : rows) {
    writer.family(name, help, type);
    writer.sample(name, {}, value);
  }
  if (reader.remote_write != nullptr && !reader.remote_write->empty()) write_remote_write_families(*reader.remote_write, writer);
}

void write_all_families(const ExporterSnapshot& snapshot, const ReaderCounts& reader, TextWriter& writer) {
  write_group_families(snapshot, writer);
  write_thread_families(snapshot, writer);
  write_top_process_families(snapshot, writer);
  write_compat_families(snapshot, writer);
  write_host_families(snapshot, writer);
  if (snapshot.self) write_process_families(*snapshot.self, writer);
  write_exporter_families(snapshot, reader, writer);
  // The series count includes its own sample.
  writer.family("bpfproc_exporter_series", "Series in this exposition, this one included.", "gauge");
  writer.sample("bpfproc_exporter_series", {}, static_cast<double>(writer.series() + 1));
}

}  // namespace

void write_exposition_text(const ExporterSnapshot& snapshot, const ReaderCounts& reader, std::string& text) {
  text.clear();
  text.reserve(estimated_size(snapshot));
  TextWriter writer(text);
  write_all_families(snapshot, reader, writer);
}

std::size_t write_exposition_series(const ExporterSnapshot& snapshot, const ReaderCounts& reader, SeriesSink& sink) {
  TextWriter writer(sink);
  write_all_families(snapshot, reader, writer);
  return writer.series();
}

std::string exposition_text(const ExporterSnapshot& snapshot, const ReaderCounts& reader) {
  std::string text;
  write_exposition_text(snapshot, reader, text);
  return text;
}

}  // namespace bpfproc
