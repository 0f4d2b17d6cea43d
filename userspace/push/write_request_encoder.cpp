#include "bpfproc/push/write_request_encoder.h"

#include <algorithm>
#include <string_view>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>
#include <snappy.h>

#include "bpfproc/exposition/text_writer.h"
#include "bpfproc/push/remote_write.pb.h"

namespace bpfproc {
namespace {

using google::protobuf::io::CodedOutputStream;
using google::protobuf::internal::WireFormatLite;
using LabelView = std::pair<std::string_view, std::string_view>;

// Field numbers of remote_write.proto. The request is written field by field with protobuf's own
// wire-format writer rather than built as message objects: at 10,000 groups those were 360,000
// TimeSeries and over a million label strings to allocate and free per push, 3/4 of its cost.
// decode_write_request parses it back with the generated classes (tests/unit/push/).
constexpr int kWriteRequestTimeseries = 1;
constexpr int kTimeSeriesLabels = 1;
constexpr int kTimeSeriesSamples = 2;
constexpr int kLabelName = 1;
constexpr int kLabelValue = 2;
constexpr int kSampleValue = 1;
constexpr int kSampleTimestamp = 2;

std::size_t string_field_size(std::string_view text) {
  return 1 + CodedOutputStream::VarintSize64(text.size()) + text.size();  // one-byte tag: field < 16
}

std::size_t message_field_size(std::size_t size) { return 1 + CodedOutputStream::VarintSize64(size) + size; }

void write_string_field(int field, std::string_view text, CodedOutputStream& out) {
  WireFormatLite::WriteTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED, &out);
  out.WriteVarint64(text.size());
  out.WriteRaw(text.data(), static_cast<int>(text.size()));
}

void write_message_header(int field, std::size_t size, CodedOutputStream& out) {
  WireFormatLite::WriteTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED, &out);
  out.WriteVarint64(size);
}

// One TimeSeries with one sample, as a WriteRequest's repeated field.
template <typename Labels>
void write_timeseries(const Labels& labels, double value, std::int64_t timestamp_ms, CodedOutputStream& out) {
  const std::size_t sample_size =
      1 + 8 + 1 + CodedOutputStream::VarintSize64(static_cast<std::uint64_t>(timestamp_ms));
  std::size_t timeseries_size = message_field_size(sample_size);
  for (const auto& [name, label_value] : labels)
    timeseries_size += message_field_size(string_field_size(name) + string_field_size(label_value));
  write_message_header(kWriteRequestTimeseries, timeseries_size, out);
  for (const auto& [name, label_value] : labels) {
    write_message_header(kTimeSeriesLabels, string_field_size(name) + string_field_size(label_value), out);
    write_string_field(kLabelName, name, out);
    write_string_field(kLabelValue, label_value, out);
  }
  write_message_header(kTimeSeriesSamples, sample_size, out);
  WireFormatLite::WriteDouble(kSampleValue, value, &out);
  WireFormatLite::WriteInt64(kSampleTimestamp, timestamp_ms, &out);
}

// Writes each sample of the exposition into the request.
class RequestSink final : public SeriesSink {
 public:
  RequestSink(CodedOutputStream& out, const SeriesLabels& external, StaleSeries& stale, std::int64_t timestamp_ms)
      : out_(out), external_(external), stale_(stale), timestamp_ms_(timestamp_ms) {}

  void series(std::string_view name, const Labels& labels, double value) override {
    sorted_.clear();
    sorted_.emplace_back("__name__", name);
    for (const auto& label : labels) sorted_.push_back(label);
    // Prometheus' rule for external labels: a series' own label of the same name wins.
    for (const auto& external : external_) {
      const auto& external_name = external.first;  // a name, not a structured binding: clang 14 cannot capture one
      if (std::none_of(sorted_.begin(), sorted_.end(), [&](const LabelView& own) { return own.first == external_name; }))
        sorted_.emplace_back(external_name, external.second);
    }
    std::sort(sorted_.begin(), sorted_.end(), [](const LabelView& a, const LabelView& b) { return a.first < b.first; });
    key_.clear();
    for (const auto& [label_name, label_value] : sorted_) append_series_key(key_, label_name, label_value);
    write_timeseries(sorted_, value, timestamp_ms_, out_);
    stale_.add(key_);
  }

 private:
  CodedOutputStream& out_;
  const SeriesLabels& external_;
  StaleSeries& stale_;
  const std::int64_t timestamp_ms_;
  std::vector<LabelView> sorted_;
  std::string key_;
};

}  // namespace

WriteRequestEncoder::WriteRequestEncoder(SeriesLabels external_labels) : external_labels_(std::move(external_labels)) {}

PushBatch WriteRequestEncoder::encode(const ExporterSnapshot& snapshot, const ReaderCounts& reader,
                                      std::int64_t timestamp_ms) {
  encoded_.clear();
  std::size_t samples = 0;
  {
    google::protobuf::io::StringOutputStream stream(&encoded_);
    CodedOutputStream out(&stream);
    RequestSink sink(out, external_labels_, stale_, timestamp_ms);
    samples = write_exposition_series(snapshot, reader, sink);
    const std::vector<std::string> vanished = stale_.finish();
    for (const std::string& key : vanished) write_timeseries(labels_of_series_key(key), stale_nan(), timestamp_ms, out);
    last_stale_markers_ = vanished.size();
    samples += vanished.size();
  }  // the stream trims encoded_ to what was written
  PushBatch batch;
  batch.samples = samples;
  snappy::Compress(encoded_.data(), encoded_.size(), &batch.body);
  return batch;
}

Result<std::vector<DecodedSample>> decode_write_request(const std::string& body) {
  std::string encoded;
  if (!snappy::Uncompress(body.data(), body.size(), &encoded)) return Error{"not snappy block format", "write request"};
  prometheus::WriteRequest request;
  if (!request.ParseFromString(encoded)) return Error{"not a prometheus.WriteRequest", "write request"};
  std::vector<DecodedSample> samples;
  for (const prometheus::TimeSeries& timeseries : request.timeseries()) {
    SeriesLabels labels;
    for (const prometheus::Label& label : timeseries.labels()) labels.emplace_back(label.name(), label.value());
    for (const prometheus::Sample& sample : timeseries.samples())
      samples.push_back({labels, sample.value(), sample.timestamp()});
  }
  return samples;
}

}  // namespace bpfproc
