// Times one remote_write push for a synthetic snapshot of N groups: the whole encode (the
// exposition's samples through the sink, sorted labels, protobuf, snappy, stale tracking), next
// to its floor in the same run, the /metrics text of the same snapshot (the work a scrape does
// anyway), and the sink walk alone. CPU time of this thread, medians of alternating runs; bytes per
// sample on the wire. A tool, not a test: figures on a shared machine are for reading.
//   remote_write_cost [--runs N] [--latency] GROUPS...
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bpfproc/exposition/text_writer.h"
#include "bpfproc/push/write_request_encoder.h"
#include "synthetic_snapshot.h"

namespace {

double thread_cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Takes every sample and does nothing: the cost of walking the families alone.
class NullSink final : public bpfproc::SeriesSink {
 public:
  void series(std::string_view, const Labels&, double) override { ++samples; }
  std::size_t samples = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const auto arguments = tools::parse_cost_arguments(argc, argv, "remote_write_cost");
  if (!arguments) return 2;
  const unsigned runs = arguments->runs;
  const bool runqueue_latency = arguments->runqueue_latency;
  const std::vector<std::size_t>& group_counts = arguments->group_counts;
  std::printf("%8s %8s %10s %12s %8s %14s %12s %10s\n", "groups", "samples", "wire_bytes", "bytes/sample",
              "push_ms", "metrics_ms", "walk_ms", "push/text");
  for (const std::size_t groups : group_counts) {
    const bpfproc::ExporterSnapshot snapshot = tools::synthetic_snapshot(groups, runqueue_latency);
    const bpfproc::ReaderCounts reader{.scrapes = 1};
    bpfproc::WriteRequestEncoder encoder(bpfproc::SeriesLabels{{"instance", "3d1219c7c4c5404aaa1f6d2a48adfda4"}});
    (void)encoder.encode(snapshot, reader, 1'790'000'000'000);  // the steady state: no stale markers
    std::vector<double> push_ms, text_ms, walk_ms;
    std::string text;
    bpfproc::PushBatch batch;
    for (unsigned run = 0; run < runs; ++run) {
      double start = thread_cpu_ms();
      batch = encoder.encode(snapshot, reader, 1'790'000'000'000 + run);
      double middle = thread_cpu_ms();
      bpfproc::write_exposition_text(snapshot, reader, text);
      double end = thread_cpu_ms();
      NullSink sink;
      (void)bpfproc::write_exposition_series(snapshot, reader, sink);
      double walked = thread_cpu_ms();
      push_ms.push_back(middle - start);
      text_ms.push_back(end - middle);
      walk_ms.push_back(walked - end);
    }
    const double push = median(push_ms), floor = median(text_ms);
    std::printf("%8zu %8zu %10zu %12.2f %8.2f %14.2f %12.2f %9.1fx\n", groups, batch.samples, batch.body.size(),
                static_cast<double>(batch.body.size()) / static_cast<double>(batch.samples), push, floor,
                median(walk_ms), push / floor);
  }
  return 0;
}
