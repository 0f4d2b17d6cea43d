// Prometheus content: another program's exposition, imported as it is (the families, types, help
// and labels it has), each family name prefixed. The parser is util/prometheus_text's.
#include "bpfproc/collectors/sources/content.h"
#include "bpfproc/util/prometheus_text.h"

namespace bpfproc {
namespace {

HostFamily::Type family_type(std::string_view type) {
  if (type == "counter") return HostFamily::Type::kCounter;
  if (type == "gauge") return HostFamily::Type::kGauge;
  if (type == "histogram") return HostFamily::Type::kHistogram;
  if (type == "summary") return HostFamily::Type::kSummary;
  return HostFamily::Type::kUntyped;
}

}  // namespace

std::vector<HostFamily> import_prometheus_text(std::string_view body, const std::string& prefix, std::size_t& malformed) {
  ParsedFamilies parsed = parse_prometheus_families(body);
  malformed = parsed.malformed_lines;
  std::vector<HostFamily> families;
  for (SampleFamily& parsed_family : parsed.families) {
    if (parsed_family.samples.empty()) continue;  // a TYPE or HELP line alone
    HostFamily family{prefix + parsed_family.name, std::move(parsed_family.help), family_type(parsed_family.type), {}};
    for (Sample& sample : parsed_family.samples) {
      HostSample converted;
      converted.labels.assign(sample.labels.begin(), sample.labels.end());
      converted.value = sample.value;
      converted.suffix = sample.name.substr(parsed_family.name.size());
      family.samples.push_back(std::move(converted));
    }
    families.push_back(std::move(family));
  }
  return families;
}

}  // namespace bpfproc
