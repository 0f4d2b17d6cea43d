#pragma once
// One custom metric source at run time: one read per run (however many metrics it feeds), the
// values its content gives, the error policy, and its self-metrics (collector="source.SERVICE.NAME",
// like a built-in collector's). The sources collector runs each on a thread of its own.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bpfproc/collectors/collector_stats.h"
#include "bpfproc/collectors/sources/content.h"
#include "bpfproc/collectors/sources/source_config.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

using SteadyTime = std::chrono::steady_clock::time_point;

// A metric's last good value and when it was read.
struct GoodValue {
  double value = 0;
  SteadyTime at;
};

// What a metric serves after a run: the value read; when the read found none, value_on_error;
// otherwise its last good value while it is at most `max_age` old; otherwise nothing. Updates
// `last` with a value read.
std::optional<double> served_value(std::optional<double> read, const std::optional<double>& value_on_error,
                                   std::optional<GoodValue>& last, SteadyTime now, std::chrono::milliseconds max_age);

// Reads a source's body by its type; a static source has none (empty).
using SourceRead = Result<std::string> (*)(const SourceDefinition&);

class SourceRunner {
 public:
  // `read` stands in for the source type's reader (tests); null picks it from the type.
  SourceRunner(SourceDefinition definition, std::chrono::milliseconds base_interval, SourceRead read = nullptr);

  const SourceDefinition& definition() const { return definition_; }
  std::chrono::milliseconds interval() const { return interval_; }

  // One read of the source, then what it serves; recorded in its self-metrics. Never throws.
  // `now` is for tests of the age policy.
  void run_once(SteadyTime now = std::chrono::steady_clock::now());

  std::vector<HostFamily> families() const;  // what it serves now
  CollectorStatus status() const { return stats_.status(); }

 private:
  std::uint64_t serve_declared(const Result<std::string>& body, SteadyTime now);
  std::uint64_t serve_imported(const Result<std::string>& body, SteadyTime now);

  SourceDefinition definition_;
  std::chrono::milliseconds interval_;
  SourceRead read_;
  std::unique_ptr<Content> content_;  // null for static sources and prometheus imports
  CollectorStats stats_;
  std::optional<std::string> last_error_;  // logged once until the source works again
  std::vector<std::optional<GoodValue>> last_good_;  // by metric
  std::vector<HostFamily> last_imported_;            // prometheus: the last good import
  SteadyTime last_imported_at_;
  mutable std::mutex mutex_;
  std::vector<HostFamily> served_;
};

}  // namespace bpfproc
