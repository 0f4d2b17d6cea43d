// host.memory: every field of /proc/meminfo, node_exporter's node_memory_*: NAME_bytes for the
// fields in kB, NAME for counts (HugePages_Total), and "Active(anon)" named Active_anon.
#include "bpfproc/collectors/collector.h"
#include "bpfproc/collectors/host/host_source.h"
#include "bpfproc/procfs/meminfo.h"

namespace bpfproc {
namespace {

// "Active(anon)" -> "Active_anon", as node_exporter names the fields with parentheses.
std::string metric_name(const MeminfoField& field) {
  std::string name = "node_memory_";
  for (const char character : field.name) {
    if (character == '(') name += '_';
    else if (character != ')') name += character;
  }
  if (field.in_bytes) name += "_bytes";
  return name;
}

class HostMemoryCollector : public HostSourceCollector {
 public:
  explicit HostMemoryCollector(const CollectorOptions& options) : HostSourceCollector(options, "host.memory") {}

  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    std::uint64_t errors = 0;
    auto fields = read("meminfo", parse_meminfo, errors);
    if (!fields) return errors;
    succeeded();
    for (const MeminfoField& field : *fields) {
      auto& family = add_host_family(snapshot, metric_name(field), "/proc/meminfo " + field.name + (field.in_bytes ? ", in bytes." : "."),
                                     HostFamily::Type::kGauge);
      family.samples.push_back({{}, static_cast<double>(field.value)});
    }
    return 0;
  }
};

}  // namespace

CollectorDefinition host_memory_collector() {
  return host_collector_definition<HostMemoryCollector>(
      "host.memory", "Host memory and swap from /proc/meminfo, node_exporter's node_memory_*");
}

}  // namespace bpfproc
