#include "bpfproc/exposition/compat_families.h"

#include <array>
#include <utility>
#include <string_view>

namespace bpfproc {
namespace {

// process-exporter's names for the five states, in ThreadState's order.
constexpr std::array<std::string_view, kThreadStates> kStateNames{"Running", "Sleeping", "Waiting", "Zombie", "Other"};

bool has_smaps(const ExporterSnapshot& snapshot, const GroupTotals& group) {
  return snapshot.memory_enabled && group.has_memory;
}

// The exact runtime of threads split by their sampled user and system ticks, as the kernel's
// cputime_adjust() splits a task's (no ticks: all user).
std::pair<double, double> user_and_system_seconds(const Counters& counters) {
  const double runtime = seconds(counters.runtime_ns);
  const double sampled = static_cast<double>(counters.user_ns) + static_cast<double>(counters.system_ns);
  if (counters.system_ns == 0 || sampled == 0) return {runtime, 0.0};
  const double user = runtime * static_cast<double>(counters.user_ns) / sampled;
  return {user, runtime - user};
}

void write_thread_families(const ExporterSnapshot& snapshot, TextWriter& writer) {
  if (!has_thread_names(snapshot)) return;
  const auto per_thread_name = [&](std::string_view name, std::string_view help, std::string_view type, auto write) {
    writer.family(name, help, type);
    GroupLabelStorage subgroup;
    for (const GroupTotals& group : snapshot.groups)
      for (const ThreadNameTotals& thread : group.thread_names)
        write(name, thread.counters, {group_label("groupname", group, subgroup), Label{"threadname", thread.name}},
              thread.live_threads);
  };
  using Labels = std::pair<Label, Label>;
  const auto count = [](std::uint64_t value) { return static_cast<double>(value); };
  per_thread_name("namedprocess_namegroup_thread_count", "Live threads of the group with this name.", "gauge",
                  [&](std::string_view name, const Counters&, Labels labels, std::uint64_t live) {
                    writer.sample(name, {labels.first, labels.second}, count(live));
                  });
  per_thread_name("namedprocess_namegroup_thread_cpu_seconds_total",
                  "CPU time of the group's threads with this name by mode (exact, split by the sampled ticks).",
                  "counter", [&](std::string_view name, const Counters& used, Labels labels, std::uint64_t) {
                    const auto [user, system] = user_and_system_seconds(used);
                    writer.sample(name, {labels.first, labels.second, {"mode", "system"}}, system);
                    writer.sample(name, {labels.first, labels.second, {"mode", "user"}}, user);
                  });
  per_thread_name("namedprocess_namegroup_thread_io_bytes_total",
                  "Bytes the group's threads with this name made storage read and write.", "counter",
                  [&](std::string_view name, const Counters& used, Labels labels, std::uint64_t) {
                    writer.sample(name, {labels.first, labels.second, {"iomode", "read"}}, count(used.read_bytes));
                    writer.sample(name, {labels.first, labels.second, {"iomode", "write"}}, count(used.write_bytes));
                  });
  per_thread_name("namedprocess_namegroup_thread_major_page_faults_total",
                  "Major page faults of the group's threads with this name.", "counter",
                  [&](std::string_view name, const Counters& used, Labels labels, std::uint64_t) {
                    writer.sample(name, {labels.first, labels.second}, count(used.major_faults));
                  });
  per_thread_name("namedprocess_namegroup_thread_minor_page_faults_total",
                  "Minor page faults of the group's threads with this name.", "counter",
                  [&](std::string_view name, const Counters& used, Labels labels, std::uint64_t) {
                    writer.sample(name, {labels.first, labels.second}, count(used.minor_faults));
                  });
  per_thread_name("namedprocess_namegroup_thread_context_switches_total",
                  "Context switches of the group's threads with this name.", "counter",
                  [&](std::string_view name, const Counters& used, Labels labels, std::uint64_t) {
                    writer.sample(name, {labels.first, labels.second, {"ctxswitchtype", "nonvoluntary"}},
                                  count(used.involuntary_switches));
                    writer.sample(name, {labels.first, labels.second, {"ctxswitchtype", "voluntary"}},
                                  count(used.voluntary_switches));
                  });
}

}  // namespace

std::size_t compat_group_series(const ExporterSnapshot& snapshot, const GroupTotals& group) {
  if (!snapshot.process_exporter_compat) return 0;
  // num_procs, cpu (2 modes), read and write bytes, major and minor faults, context switches (2),
  // memory (resident, virtual, swapped), open fds, worst fd ratio, threads, states (5).
  std::size_t series = 1 + 2 + 2 + 2 + 2 + 3 + 1 + 1 + 1 + kThreadStates;
  if (has_smaps(snapshot, group)) series += 2;  // proportionalResident, proportionalSwapped
  if (group.processes > 0) series += 1;         // oldest start time
  // Per thread name: count, cpu (2 modes), io bytes (2), major and minor faults, switches (2).
  return series + 9 * group.thread_names.size() + group.wchans.size();
}

void write_compat_families(const ExporterSnapshot& snapshot, TextWriter& writer) {
  if (!snapshot.process_exporter_compat) return;
  const auto per_group = [&](std::string_view name, std::string_view help, std::string_view type, auto write) {
    writer.family(name, help, type);
    GroupLabelStorage subgroup;
    for (const GroupTotals& group : snapshot.groups) write(name, group, group_label("groupname", group, subgroup));
  };
  const auto count = [](std::uint64_t value) { return static_cast<double>(value); };
  // Help texts say what bpfproc serves under each name.
  per_group("namedprocess_namegroup_num_procs", "Live processes in the group (bpfproc_group_processes).", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, count(group.processes));
            });
  per_group("namedprocess_namegroup_cpu_seconds_total",
            "CPU time of the group by mode, exact (bpfproc_group_cpu_seconds_total).", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label, {"mode", "system"}}, seconds(group.counters.system_ns));
              writer.sample(name, {label, {"mode", "user"}}, seconds(group.counters.user_ns));
            });
  per_group("namedprocess_namegroup_read_bytes_total",
            "Bytes the group made storage read (bpfproc_group_io_bytes_total{direction=\"read\"}).", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, count(group.counters.read_bytes));
            });
  per_group("namedprocess_namegroup_write_bytes_total",
            "Bytes the group wrote to storage (bpfproc_group_io_bytes_total{direction=\"write\"}).", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, count(group.counters.write_bytes));
            });
  per_group("namedprocess_namegroup_major_page_faults_total", "Major page faults of the group.", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, count(group.counters.major_faults));
            });
  per_group("namedprocess_namegroup_minor_page_faults_total", "Minor page faults of the group.", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, count(group.counters.minor_faults));
            });
  per_group("namedprocess_namegroup_context_switches_total", "Context switches of the group's threads.", "counter",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label, {"ctxswitchtype", "nonvoluntary"}},
                            count(group.counters.involuntary_switches));
              writer.sample(name, {label, {"ctxswitchtype", "voluntary"}}, count(group.counters.voluntary_switches));
            });
  per_group("namedprocess_namegroup_memory_bytes",
            "Memory of the group's live processes: resident, virtual and swapped from the kernel's counters, "
            "proportional ones from smaps_rollup (pss, swap_pss).",
            "gauge", [&](std::string_view name, const GroupTotals& group, Label label) {
              if (has_smaps(snapshot, group)) {
                writer.sample(name, {label, {"memtype", "proportionalResident"}}, count(group.memory.pss));
                writer.sample(name, {label, {"memtype", "proportionalSwapped"}}, count(group.memory.swap_pss));
              }
              writer.sample(name, {label, {"memtype", "resident"}}, count(group.gauges.resident_bytes));
              writer.sample(name, {label, {"memtype", "swapped"}}, count(group.gauges.swap_bytes));
              writer.sample(name, {label, {"memtype", "virtual"}}, count(group.gauges.virtual_bytes));
            });
  per_group("namedprocess_namegroup_open_filedesc", "Open file descriptors of the group's live processes.", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, count(group.gauges.open_fds));
            });
  per_group("namedprocess_namegroup_worst_fd_ratio",
            "The highest open file descriptors over their limit among the group's live processes.", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, group.gauges.worst_fd_ratio);
            });
  per_group("namedprocess_namegroup_oldest_start_time_seconds",
            "Start time of the group's oldest live process, in seconds since the epoch.", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              if (group.processes > 0)
                writer.sample(name, {label}, snapshot.boot_time_unix_seconds + seconds(group.oldest_start_ns));
            });
  per_group("namedprocess_namegroup_num_threads", "Live threads of the group's processes.", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              writer.sample(name, {label}, count(group.threads));
            });
  per_group("namedprocess_namegroup_states",
            "Live processes of the group by their state: Running, Sleeping, Waiting, Zombie, or Other.", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              for (std::size_t state = 0; state < kThreadStates; ++state)
                writer.sample(name, {label, {"state", kStateNames[state]}}, count(group.gauges.process_states[state]));
            });

  per_group("namedprocess_namegroup_threads_wchan",
            "Live threads of the group by where they sleep (/proc/PID/wchan, from the kernel stack).", "gauge",
            [&](std::string_view name, const GroupTotals& group, Label label) {
              for (const auto& [wchan, threads] : group.wchans) writer.sample(name, {label, {"wchan", wchan}}, count(threads));
            });
  write_thread_families(snapshot, writer);

  std::uint64_t errors = 0;
  for (const CollectorStatus& collector : snapshot.collectors) errors += collector.errors;
  writer.family("namedprocess_scrape_errors", "Collector runs that failed (bpfproc_exporter_collector_errors_total).",
                "counter");
  writer.sample("namedprocess_scrape_errors", {}, count(errors));
  // bpfproc reads no per-process file for these figures, so no such read can fail.
  writer.family("namedprocess_scrape_procread_errors", "Per-process reads that failed: none in bpfproc.", "counter");
  writer.sample("namedprocess_scrape_procread_errors", {}, 0);
  writer.family("namedprocess_scrape_partial_errors", "Per-process reads that failed in part: none in bpfproc.",
                "counter");
  writer.sample("namedprocess_scrape_partial_errors", {}, 0);
}

}  // namespace bpfproc
