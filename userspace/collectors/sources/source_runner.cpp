// One custom metric source at run time (see source_runner.h).
#include "bpfproc/collectors/sources/source_runner.h"

#include <exception>

#include <spdlog/spdlog.h>

#include "bpfproc/collectors/sources/source_reader.h"

namespace bpfproc {

std::optional<double> served_value(std::optional<double> read, const std::optional<double>& value_on_error,
                                   std::optional<GoodValue>& last, SteadyTime now, std::chrono::milliseconds max_age) {
  if (read) {
    last = GoodValue{*read, now};
    return read;
  }
  if (value_on_error) return value_on_error;
  if (last && now - last->at <= max_age) return last->value;
  return std::nullopt;
}

namespace {

Result<std::string> read_nothing(const SourceDefinition&) { return std::string(); }

SourceRead reader_of(SourceType type) {
  switch (type) {
    case SourceType::kCommand: return read_command_source;
    case SourceType::kFile: return read_file_source;
    case SourceType::kHttp: return read_http_source;
    case SourceType::kStatic: break;
  }
  return read_nothing;
}

}  // namespace

SourceRunner::SourceRunner(SourceDefinition definition, std::chrono::milliseconds base_interval, SourceRead read)
    : definition_(std::move(definition)),
      interval_(effective_interval(definition_.interval, base_interval)),
      read_(read != nullptr ? read : reader_of(definition_.type)),
      stats_("source." + definition_.service + "." + definition_.name),
      last_good_(definition_.metrics.size()) {
  if (definition_.type == SourceType::kStatic || definition_.content == ContentType::kPrometheus) return;
  content_ = make_content(definition_.content);
  // The config parser checked every expression with the same code; one that fails here is a bug.
  for (const SourceMetric& metric : definition_.metrics)
    if (auto added = content_->add_expression(metric.expression); !added)
      spdlog::error("source {}.{}: {}", definition_.service, definition_.name, added.error().message());
}

void SourceRunner::run_once(SteadyTime now) {
  const RunClock clock;
  std::uint64_t errors = 0;
  try {
    const Result<std::string> body = read_(definition_);
    if (!body) {
      errors = 1;
      if (last_error_ != body.error().message())
        spdlog::warn("source {}.{}: {} (logged once until it changes)", definition_.service, definition_.name,
                     body.error().message());
      last_error_ = body.error().message();
    } else if (last_error_) {
      spdlog::info("source {}.{}: read again", definition_.service, definition_.name);
      last_error_.reset();
    }
    errors += definition_.content == ContentType::kPrometheus && definition_.type != SourceType::kStatic
                  ? serve_imported(body, now)
                  : serve_declared(body, now);
  } catch (const std::exception& error) {  // a bug in one source must not stop its thread
    spdlog::error("source {}.{}: {}", definition_.service, definition_.name, error.what());
    ++errors;
  }
  stats_.record_run(clock, errors);
}

std::uint64_t SourceRunner::serve_declared(const Result<std::string>& body, SteadyTime now) {
  std::uint64_t errors = 0;
  std::vector<std::optional<double>> read(definition_.metrics.size());
  if (definition_.type == SourceType::kStatic) {
    for (std::size_t index = 0; index < read.size(); ++index) read[index] = definition_.metrics[index].static_value;
  } else if (body) {
    auto values = content_->values(*body);
    if (values) {
      read = std::move(*values);
      for (const auto& value : read) errors += value ? 0 : 1;  // an expression that found nothing
    } else {
      ++errors;
    }
  }
  std::vector<HostFamily> families;
  for (std::size_t index = 0; index < definition_.metrics.size(); ++index) {
    const SourceMetric& metric = definition_.metrics[index];
    const auto value = served_value(read[index], metric.value_on_error, last_good_[index], now, definition_.max_age);
    if (!value) continue;
    auto family = std::find_if(families.begin(), families.end(),
                               [&](const HostFamily& candidate) { return candidate.name == metric.name; });
    if (family == families.end()) family = families.insert(families.end(), HostFamily{metric.name, metric.help, metric.type, {}});
    family->samples.push_back(HostSample{metric.labels, *value});
  }
  std::lock_guard lock(mutex_);
  served_ = std::move(families);
  return errors;
}

std::uint64_t SourceRunner::serve_imported(const Result<std::string>& body, SteadyTime now) {
  std::uint64_t errors = 0;
  if (body) {
    std::size_t malformed = 0;
    last_imported_ = import_prometheus_text(*body, definition_.prefix, malformed);
    // A family without HELP gets one saying where it comes from (linters want one on every family).
    for (HostFamily& family : last_imported_)
      if (family.help.empty())
        family.help = "Imported from service " + definition_.service + ", source " + definition_.name + ".";
    last_imported_at_ = now;
    errors += malformed > 0 ? 1 : 0;
  }
  std::lock_guard lock(mutex_);
  if (now - last_imported_at_ <= (body ? std::chrono::milliseconds(0) : definition_.max_age) && !last_imported_.empty())
    served_ = last_imported_;
  else
    served_.clear();
  return errors;
}

std::vector<HostFamily> SourceRunner::families() const {
  std::lock_guard lock(mutex_);
  return served_;
}

}  // namespace bpfproc
