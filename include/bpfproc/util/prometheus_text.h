#pragma once
// Reading the Prometheus text exposition format: bench scrapes the daemon like Prometheus does and
// takes its figures from the samples; custom metric sources (collectors/sources/) import another
// program's exposition as it is, families with their TYPE and HELP.
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

// One metric family: the samples under a `# TYPE` line (or of one name when it has none).
struct SampleFamily {
  std::string name;
  std::string type = "untyped";  // counter, gauge, histogram, summary or untyped
  std::string help;
  std::vector<Sample> samples;  // in the order of the text
};

struct ParsedFamilies {
  std::vector<SampleFamily> families;
  std::size_t malformed_lines = 0;  // sample lines that did not parse, left out
};

// Every family of `text`. A sample belongs to the family typed last when its name is that
// family's or that plus _bucket, _sum, _count (histogram, summary) or _total; otherwise it starts
// an untyped family of its own name (or joins one already started).
ParsedFamilies parse_prometheus_families(std::string_view text);

// The sum of the samples called `name` whose labels include all of `labels`; nullopt when none
// matches.
std::optional<double> sum_samples(const std::vector<Sample>& samples, std::string_view name,
                                  const std::map<std::string, std::string>& labels = {});

}  // namespace bpfproc
