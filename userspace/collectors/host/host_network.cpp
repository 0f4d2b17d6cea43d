// host.network: counters per network interface from /proc/net/dev, node_exporter's
// node_network_{receive,transmit}_*_total{device}, filtered by
// --collector.host.network.device-exclude/-include (by default without the loopback interface, as
// Debian's node_exporter). node_exporter 1.5 reads the same counters over netlink and sums them
// as /proc/net/dev does; its receive_nohandler, which /proc/net/dev does not show, is left out.
#include "bpfproc/collectors/collector.h"
#include "bpfproc/collectors/host/host_source.h"
#include "bpfproc/procfs/net_dev.h"

namespace bpfproc {
namespace {

class HostNetworkCollector : public HostSourceCollector {
 public:
  explicit HostNetworkCollector(const CollectorOptions& options)
      : HostSourceCollector(options, "host.network"), devices_(options.host_filters.network) {}

  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    std::uint64_t errors = 0;
    auto devices = read("net/dev", parse_net_dev, errors);
    if (!devices) return errors;
    succeeded();
    const auto add = [&](const char* direction, const auto& columns, auto values) {
      for (std::size_t column = 0; column < columns.size(); ++column) {
        auto& family = add_host_family(snapshot,
                                       std::string("node_network_") + direction + "_" + std::string(columns[column]) + "_total",
                                       std::string("Network device ") + direction + " " + std::string(columns[column]) +
                                           " (/proc/net/dev).",
                                       HostFamily::Type::kCounter);
        for (const NetDevice& device : *devices)
          if (devices_.selected(device.name))
            family.samples.push_back({{{"device", device.name}}, static_cast<double>(values(device)[column])});
      }
    };
    add("receive", kNetReceiveColumns, [](const NetDevice& device) { return device.receive; });
    add("transmit", kNetTransmitColumns, [](const NetDevice& device) { return device.transmit; });
    return 0;
  }

 private:
  DeviceSelector devices_;
};

}  // namespace

CollectorDefinition host_network_collector() {
  return host_collector_definition<HostNetworkCollector>(
      "host.network", "Host network bytes, packets and errors per interface, node_exporter's node_network_*_total");
}

}  // namespace bpfproc
