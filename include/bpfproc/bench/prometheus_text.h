#pragma once
// Reading the Prometheus text exposition format back: bench scrapes the daemon like Prometheus
// does and takes its figures from the samples.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpfproc {

struct Sample {
  std::string name;  // with any _sum, _count or _bucket suffix, as exposed
  std::map<std::string, std::string> labels;  // values unescaped
  double value = 0;
};

// Every sample line; comments, blank and malformed lines are skipped.
std::vector<Sample> parse_prometheus_text(std::string_view text);

// The sum of the samples called `name` whose labels include all of `labels`; nullopt when none
// matches.
std::optional<double> sum_samples(const std::vector<Sample>& samples, std::string_view name,
                                  const std::map<std::string, std::string>& labels = {});

}  // namespace bpfproc
