#include "bpfproc/exposition/host_families.h"

namespace bpfproc {

void write_host_families(const ExporterSnapshot& snapshot, TextWriter& writer) {
  for (const HostFamily& family : snapshot.host_families) {
    writer.family(family.name, family.help, family.type == HostFamily::Type::kCounter ? "counter" : "gauge");
    for (const HostSample& sample : family.samples) writer.sample_with_pairs(family.name, sample.labels, sample.value);
  }
}

std::size_t host_families_size(const ExporterSnapshot& snapshot) {
  std::size_t bytes = 0;
  for (const HostFamily& family : snapshot.host_families) bytes += 2 * family.help.size() + 100 * (family.samples.size() + 2);
  return bytes;
}

}  // namespace bpfproc
