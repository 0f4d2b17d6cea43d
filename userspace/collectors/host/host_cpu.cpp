// host.cpu: CPU time per CPU and mode, node_exporter's node_cpu_seconds_total{cpu,mode} and
// node_cpu_guest_seconds_total{cpu,mode}, from /proc/stat.
#include <unistd.h>

#include <iterator>
#include <map>

#include "bpfproc/collectors/collector.h"
#include "bpfproc/collectors/host/host_source.h"
#include "bpfproc/procfs/cpu_times.h"

namespace bpfproc {
namespace {

constexpr const char* kModes[] = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};

class HostCpuCollector : public HostSourceCollector {
 public:
  explicit HostCpuCollector(const CollectorOptions& options)
      : HostSourceCollector(options, "host.cpu"), ticks_per_second_(static_cast<double>(sysconf(_SC_CLK_TCK))) {}

  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    std::uint64_t errors = 0;
    auto cpus = read("stat", parse_cpu_times, errors);
    if (!cpus) return errors;
    succeeded();
    HostFamily seconds = host_family("node_cpu_seconds_total", "Seconds the CPUs spent in each mode (/proc/stat).",
                                     HostFamily::Type::kCounter);
    HostFamily guest = host_family("node_cpu_guest_seconds_total",
                                  "Seconds the CPUs spent running guests, also counted in user and nice "
                                  "(/proc/stat guest, guest_nice).",
                                  HostFamily::Type::kCounter);
    for (const CpuTimes& read : *cpus) {
      const CpuTimes& times = monotonic(read);
      const std::string cpu = std::to_string(times.cpu);
      for (std::size_t mode = 0; mode < std::size(kModes); ++mode)
        seconds.samples.push_back({{{"cpu", cpu}, {"mode", kModes[mode]}}, in_seconds(times.ticks[mode])});
      guest.samples.push_back({{{"cpu", cpu}, {"mode", "nice"}}, in_seconds(times.ticks[CpuTimes::kGuestNice])});
      guest.samples.push_back({{{"cpu", cpu}, {"mode", "user"}}, in_seconds(times.ticks[CpuTimes::kGuest])});
    }
    add_host_families(snapshot, {std::move(seconds), std::move(guest)});
    return 0;
  }

 private:
  double in_seconds(std::uint64_t ticks) const { return static_cast<double>(ticks) / ticks_per_second_; }

  // The kernel's idle and iowait of a CPU can go back a little (NO_HZ accounting races); a counter
  // must not, so a smaller value keeps the last one, as node_exporter does. A drop of idle by
  // 3 s or more means the CPU went offline and came back: its counters start over.
  const CpuTimes& monotonic(const CpuTimes& read) {
    auto [last, first] = last_.try_emplace(read.cpu, read);
    if (first) return last->second;
    const std::uint64_t jump_back = static_cast<std::uint64_t>(3 * ticks_per_second_);
    if (last->second.ticks[CpuTimes::kIdle] >= read.ticks[CpuTimes::kIdle] + jump_back) last->second = CpuTimes{};
    last->second.cpu = read.cpu;
    for (std::size_t column = 0; column < CpuTimes::kColumns; ++column)
      if (read.ticks[column] >= last->second.ticks[column]) last->second.ticks[column] = read.ticks[column];
    return last->second;
  }

  double ticks_per_second_;  // USER_HZ, the unit of /proc/stat
  std::map<unsigned, CpuTimes> last_;
};

}  // namespace

CollectorDefinition host_cpu_collector() {
  return host_collector_definition<HostCpuCollector>("host.cpu", "Host CPU time by mode, node_exporter's node_cpu_*");
}

}  // namespace bpfproc
