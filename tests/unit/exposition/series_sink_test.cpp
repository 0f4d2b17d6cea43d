// The sink path of the text writer (what remote_write reads) against the text itself: every
// sample, in the same order, with the same labels and values, so that push and /metrics agree.
#include <charconv>
#include <cmath>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "bpfproc/exposition/text_writer.h"
#include "exposition/fixed_snapshot.h"

namespace bpfproc {
namespace {

// Renders each sample as the text format's line, independently of TextWriter's own printing.
class LineSink final : public SeriesSink {
 public:
  void series(std::string_view name, const Labels& labels, double value) override {
    std::string line(name);
    if (!labels.empty()) {
      line += '{';
      for (std::size_t index = 0; index < labels.size(); ++index) {
        if (index != 0) line += ',';
        line += labels[index].first;
        line += "=\"";
        for (const char character : labels[index].second) {
          if (character == '\\' || character == '"') line += '\\';
          line += character == '\n' ? std::string("\\n") : std::string(1, character);
        }
        line += '"';
      }
      line += '}';
    }
    char digits[64];
    if (std::isnan(value)) {
      line += " Nan";
    } else if (std::isinf(value)) {
      line += value < 0 ? " -Inf" : " +Inf";
    } else {
      std::snprintf(digits, sizeof digits, " %.16g", value);
      line += digits;
    }
    lines.push_back(std::move(line));
  }
  std::vector<std::string> lines;
};

std::vector<std::string> sample_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);)
    if (!line.starts_with('#')) lines.push_back(line);
  return lines;
}

TEST(SeriesSink, GetsEverySampleOfTheTextInOrder) {
  ExporterSnapshot snapshot = fixed_snapshot();
  snapshot.groups.front().name = "quote\" back\\slash\nnewline";
  const std::vector<RemoteWriteStatus> queues{{.url = "http://127.0.0.1:1/api/v1/write", .samples_sent = 7}};
  const ReaderCounts reader{.scrapes = 4, .remote_write = &queues};
  LineSink sink;
  const std::size_t samples = write_exposition_series(snapshot, reader, sink);
  const std::vector<std::string> expected = sample_lines(exposition_text(snapshot, reader));
  ASSERT_EQ(sink.lines.size(), expected.size());
  EXPECT_EQ(samples, expected.size());
  for (std::size_t index = 0; index < expected.size(); ++index) EXPECT_EQ(sink.lines[index], expected[index]);
  // The histogram parts and the push self-metrics are among them.
  EXPECT_NE(std::find(expected.begin(), expected.end(),
                      "bpfproc_remote_write_samples_total{result=\"sent\",url=\"http://127.0.0.1:1/api/v1/write\"} 7"),
            expected.end());
  EXPECT_TRUE(std::any_of(expected.begin(), expected.end(), [](const std::string& line) {
    return line.starts_with("bpfproc_exporter_collector_duration_seconds_bucket{collector=\"tasks\",le=\"+Inf\"}");
  }));
}

}  // namespace
}  // namespace bpfproc
