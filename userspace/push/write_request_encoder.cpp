#include "bpfproc/push/write_request_encoder.h"

#include <algorithm>
#include <string_view>

#include <google/protobuf/arena.h>
#include <snappy.h>

#include "bpfproc/exposition/text_writer.h"
#include "bpfproc/push/remote_write.pb.h"

namespace bpfproc {
namespace {

using LabelView = std::pair<std::string_view, std::string_view>;

// Collects each sample of the exposition into the request.
class RequestSink final : public SeriesSink {
 public:
  RequestSink(prometheus::WriteRequest& request, const SeriesLabels& external, StaleSeries& stale,
              std::int64_t timestamp_ms)
      : request_(request), external_(external), stale_(stale), timestamp_ms_(timestamp_ms) {}

  void series(std::string_view name, const Labels& labels, double value) override {
    sorted_.clear();
    sorted_.emplace_back("__name__", name);
    for (const auto& label : labels) sorted_.push_back(label);
    // Prometheus' rule for external labels: a series' own label of the same name wins.
    for (const auto& [label_name, label_value] : external_)
      if (std::none_of(sorted_.begin(), sorted_.end(), [&](const LabelView& own) { return own.first == label_name; }))
        sorted_.emplace_back(label_name, label_value);
    std::sort(sorted_.begin(), sorted_.end(), [](const LabelView& a, const LabelView& b) { return a.first < b.first; });
    key_.clear();
    prometheus::TimeSeries* timeseries = request_.add_timeseries();
    for (const auto& [label_name, label_value] : sorted_) {
      prometheus::Label* label = timeseries->add_labels();
      label->set_name(label_name.data(), label_name.size());
      label->set_value(label_value.data(), label_value.size());
      append_series_key(key_, label_name, label_value);
    }
    prometheus::Sample* sample = timeseries->add_samples();
    sample->set_value(value);
    sample->set_timestamp(timestamp_ms_);
    stale_.add(key_);
  }

 private:
  prometheus::WriteRequest& request_;
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
  // One arena for the whole request: at 10,000 groups it holds hundreds of thousands of small
  // messages, which would otherwise be as many heap allocations and frees.
  google::protobuf::Arena arena;
  auto* request = google::protobuf::Arena::CreateMessage<prometheus::WriteRequest>(&arena);
  RequestSink sink(*request, external_labels_, stale_, timestamp_ms);
  std::size_t samples = write_exposition_series(snapshot, reader, sink);

  const std::vector<std::string> vanished = stale_.finish();
  for (const std::string& key : vanished) {
    prometheus::TimeSeries* timeseries = request->add_timeseries();
    for (const auto& [name, value] : labels_of_series_key(key)) {
      prometheus::Label* label = timeseries->add_labels();
      label->set_name(name);
      label->set_value(value);
    }
    prometheus::Sample* sample = timeseries->add_samples();
    sample->set_value(stale_nan());
    sample->set_timestamp(timestamp_ms);
  }
  last_stale_markers_ = vanished.size();
  samples += vanished.size();

  std::string encoded;
  request->SerializeToString(&encoded);
  PushBatch batch;
  batch.samples = samples;
  snappy::Compress(encoded.data(), encoded.size(), &batch.body);
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
