#pragma once
// Metrics of the host itself (--collector.host.*), under node_exporter's names and labels: each
// host collector adds whole families, which the exposition writes as they are. Kept generic
// because they are plain gauges and counters with node_exporter's own label sets, unlike the
// groups' families, whose structure the exposition knows.
#include <string>
#include <utility>
#include <vector>

namespace bpfproc {

struct HostSample {
  std::vector<std::pair<std::string, std::string>> labels;  // name, value; in node_exporter's order
  double value = 0;
};

struct HostFamily {
  enum class Type { kGauge, kCounter };
  std::string name;
  std::string help;
  Type type = Type::kGauge;
  std::vector<HostSample> samples;
};

}  // namespace bpfproc
