#include "bpfproc/exposition/host_families.h"

namespace bpfproc {
namespace {

std::string_view type_name(HostFamily::Type type) {
  switch (type) {
    case HostFamily::Type::kCounter: return "counter";
    case HostFamily::Type::kGauge: return "gauge";
    case HostFamily::Type::kHistogram: return "histogram";
    case HostFamily::Type::kSummary: return "summary";
    case HostFamily::Type::kUntyped: break;
  }
  return "untyped";
}

}  // namespace

void write_host_families(const ExporterSnapshot& snapshot, TextWriter& writer) {
  for (const HostFamily& family : snapshot.host_families) {
    writer.family(family.name, family.help, type_name(family.type));
    for (const HostSample& sample : family.samples) {
      if (sample.suffix.empty()) {
        writer.sample_with_pairs(family.name, sample.labels, sample.value);
      } else {
        writer.sample_with_pairs(family.name + sample.suffix, sample.labels, sample.value);
      }
    }
  }
}

std::size_t host_families_size(const ExporterSnapshot& snapshot) {
  std::size_t bytes = 0;
  for (const HostFamily& family : snapshot.host_families) bytes += 2 * family.help.size() + 100 * (family.samples.size() + 2);
  return bytes;
}

}  // namespace bpfproc
