// host.pressure: pressure stall information of /proc/pressure/{cpu,io,memory}, node_exporter
// 1.5's node_pressure_*_seconds_total ("waiting" is the some line, "stalled" the full line; cpu
// has no stalled family there). A kernel without PSI (before 4.20, or CONFIG_PSI off or
// psi=0) has no such files: then nothing is served, the collector reports failure and says so
// once in the log, as node_exporter does.
#include <cerrno>

#include "bpfproc/collectors/collector.h"
#include "bpfproc/collectors/host/host_source.h"
#include "bpfproc/procfs/pressure.h"

namespace bpfproc {
namespace {

constexpr double kMicrosecondsPerSecond = 1e6;

class HostPressureCollector : public HostSourceCollector {
 public:
  explicit HostPressureCollector(const CollectorOptions& options) : HostSourceCollector(options, "host.pressure") {}

  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    // All three are read before any is served, so that a failure serves none.
    PressureTotals totals[3];
    const char* resources[] = {"cpu", "io", "memory"};
    std::uint64_t errors = 0;
    for (std::size_t index = 0; index < 3; ++index) {
      const std::string path = std::string("pressure/") + resources[index];
      auto parsed = read(path, [&](std::string_view text) { return parse_pressure(text, path); }, errors);
      if (!parsed) return errors;
      totals[index] = *parsed;
    }
    succeeded();
    const auto add = [&](std::string name, std::string help, std::optional<std::uint64_t> microseconds) {
      if (!microseconds) return;
      add_host_family(snapshot, std::move(name), std::move(help), HostFamily::Type::kCounter)
          .samples.push_back({{}, static_cast<double>(*microseconds) / kMicrosecondsPerSecond});
    };
    add("node_pressure_cpu_waiting_seconds_total", "Seconds some runnable tasks waited for a CPU (/proc/pressure/cpu some).",
        totals[0].some_microseconds);
    add("node_pressure_io_waiting_seconds_total", "Seconds some tasks were stalled on I/O (/proc/pressure/io some).",
        totals[1].some_microseconds);
    add("node_pressure_io_stalled_seconds_total", "Seconds all non-idle tasks were stalled on I/O (/proc/pressure/io full).",
        totals[1].full_microseconds);
    add("node_pressure_memory_waiting_seconds_total",
        "Seconds some tasks were stalled on memory (/proc/pressure/memory some).", totals[2].some_microseconds);
    add("node_pressure_memory_stalled_seconds_total",
        "Seconds all non-idle tasks were stalled on memory (/proc/pressure/memory full).", totals[2].full_microseconds);
    return 0;
  }

 private:
  Error annotated(Error error) const override {
    if (error.errno_value == ENOENT) error.what += " (a kernel without pressure stall information, CONFIG_PSI)";
    return error;
  }
};

}  // namespace

CollectorDefinition host_pressure_collector() {
  return host_collector_definition<HostPressureCollector>(
      "host.pressure", "Host pressure stall information (PSI) for cpu, io and memory, node_exporter's node_pressure_*");
}

}  // namespace bpfproc
