#pragma once
// Families the exposition writes as they are: the host's metrics (--collector.host.*, under
// node_exporter's names and labels) and the custom metric sources' (collectors/sources/, the
// `sources:` section of the config file). Kept generic because they carry their own names and
// label sets, unlike the groups' families, whose structure the exposition knows.
#include <string>
#include <utility>
#include <vector>

namespace bpfproc {

struct HostSample {
  std::vector<std::pair<std::string, std::string>> labels;  // name, value; in node_exporter's order
  double value = 0;
  // Appended to the family's name for this sample: "_bucket", "_sum", "_count" of a histogram or
  // summary imported from another exposition (and "" for every other sample).
  std::string suffix = {};
};

struct HostFamily {
  enum class Type { kGauge, kCounter, kUntyped, kHistogram, kSummary };
  std::string name;
  std::string help;
  Type type = Type::kGauge;
  std::vector<HostSample> samples;
};

}  // namespace bpfproc
