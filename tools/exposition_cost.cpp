// Times one scrape's exposition for a synthetic snapshot of N groups, both ways: prometheus-cpp
// MetricFamily objects then TextSerializer (build_exposition), and the direct text writer
// (write_exposition_text), alternating, and prints the medians. A tool, not a test: wall-clock
// figures on a shared machine are for reading, never for asserting.
//   exposition_cost [--runs N] [--latency] GROUPS...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <prometheus/text_serializer.h>

#include "bpfproc/exposition/exposition.h"
#include "bpfproc/exposition/text_writer.h"
#include "synthetic_snapshot.h"

namespace {

using bpfproc::ExporterSnapshot;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const auto arguments = tools::parse_cost_arguments(argc, argv, "exposition_cost");
  if (!arguments) return 2;
  const unsigned runs = arguments->runs;
  const bool runqueue_latency = arguments->runqueue_latency;
  const std::vector<std::size_t>& group_counts = arguments->group_counts;
  std::printf("%8s %8s %10s %16s %16s %8s\n", "groups", "series", "bytes", "families_ms", "direct_ms", "ratio");
  for (const std::size_t groups : group_counts) {
    const ExporterSnapshot snapshot = tools::synthetic_snapshot(groups, runqueue_latency);
    const bpfproc::ReaderCounts reader{.scrapes = 1};
    std::vector<double> families_ms, direct_ms;
    std::string families_text, direct_text;  // direct_text is kept between runs, as the web server does
    for (unsigned run = 0; run < runs; ++run) {
      auto start = std::chrono::steady_clock::now();
      families_text = prometheus::TextSerializer().Serialize(bpfproc::build_exposition(snapshot, reader));
      auto middle = std::chrono::steady_clock::now();
      bpfproc::write_exposition_text(snapshot, reader, direct_text);
      auto end = std::chrono::steady_clock::now();
      families_ms.push_back(std::chrono::duration<double, std::milli>(middle - start).count());
      direct_ms.push_back(std::chrono::duration<double, std::milli>(end - middle).count());
    }
    if (families_text != direct_text) {
      std::fprintf(stderr, "exposition_cost: the two texts differ at %zu groups\n", groups);
      return 1;
    }
    const std::size_t series = static_cast<std::size_t>(std::count(direct_text.begin(), direct_text.end(), '\n')) -
                               static_cast<std::size_t>(std::count(direct_text.begin(), direct_text.end(), '#'));
    const double families = median(families_ms), direct = median(direct_ms);
    std::printf("%8zu %8zu %10zu %16.2f %16.2f %7.1fx\n", groups, series, direct_text.size(), families, direct,
                families / direct);
  }
  return 0;
}
