// host.load: the load averages of /proc/loadavg, node_exporter's node_load1, node_load5, node_load15.
#include <tuple>

#include "bpfproc/collectors/collector.h"
#include "bpfproc/collectors/host/host_source.h"
#include "bpfproc/procfs/loadavg.h"

namespace bpfproc {
namespace {

class HostLoadCollector : public HostSourceCollector {
 public:
  explicit HostLoadCollector(const CollectorOptions& options) : HostSourceCollector(options, "host.load") {}

  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    std::uint64_t errors = 0;
    auto load = read("loadavg", parse_loadavg, errors);
    if (!load) return errors;
    succeeded();
    const std::tuple<const char*, const char*, double> rows[] = {
        {"node_load1", "Load average over 1 minute (/proc/loadavg).", load->one},
        {"node_load5", "Load average over 5 minutes (/proc/loadavg).", load->five},
        {"node_load15", "Load average over 15 minutes (/proc/loadavg).", load->fifteen}};
    for (const auto& [name, help, value] : rows)
      add_host_family(snapshot, name, help, HostFamily::Type::kGauge).samples.push_back({{}, value});
    return 0;
  }
};

}  // namespace

CollectorDefinition host_load_collector() {
  return host_collector_definition<HostLoadCollector>("host.load", "Host load averages, node_exporter's node_load1/5/15");
}

}  // namespace bpfproc
