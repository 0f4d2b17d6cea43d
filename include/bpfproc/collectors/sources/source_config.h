#pragma once
// The `sources:` section of the config file: extra metrics, grouped by service, each read from a
// source (a command, a file, a local HTTP URL, or static values) whose content (free text, JSON,
// XML, or a Prometheus exposition) gives the values. Parsed and checked here, at start, so that
// a bad entry is bad input (exit 2, "file:line: reason") rather than a collection error.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bpfproc/snapshot/host_metrics.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

enum class SourceType { kCommand, kFile, kHttp, kStatic };
enum class ContentType { kText, kJson, kXml, kPrometheus };

struct SourceMetric {
  std::string name;
  std::string help;
  HostFamily::Type type = HostFamily::Type::kGauge;
  std::vector<std::pair<std::string, std::string>> labels;  // `service` first, then the entry's own
  // The RE2 pattern (text), JSON Pointer (json) or XPath (xml) that finds the value; empty for static.
  std::string expression;
  double static_value = 0;               // type static
  std::optional<double> value_on_error;  // served when a read fails
  int line = 0;                          // of the entry, for messages
};

struct RunAs {
  std::string user;
  std::string group;  // empty: the user's primary group
  uid_t uid = 0;
  gid_t gid = 0;
};

struct SourceDefinition {
  std::string service;
  std::string name;  // unique within its service; self-metrics say collector="source.SERVICE.NAME"
  SourceType type = SourceType::kStatic;
  ContentType content = ContentType::kText;
  std::vector<std::string> command;  // argv; argv[0] an absolute path (no PATH search, no shell)
  std::optional<RunAs> run_as;
  std::string path;    // file
  std::string url;     // http, on a loopback host
  std::string prefix;  // prometheus: put before every imported family name
  std::chrono::milliseconds interval{0};  // as asked (or its service's); see effective_interval
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds max_age{0};  // how long the last good value stands in for a failed read
  std::size_t output_limit = 1 << 20;    // bytes read from a command or URL; more is an error
  std::vector<SourceMetric> metrics;     // none for prometheus
  int line = 0;
};

struct SourcesConfig {
  std::vector<SourceDefinition> sources;
  bool has_commands() const;
  bool has_run_as() const;
};

// The interval a source runs at: `asked` rounded up to a whole number of collection intervals
// (65 s on a 5 s base runs every 65 s; 62 s every 65 s), never below one.
std::chrono::milliseconds effective_interval(std::chrono::milliseconds asked, std::chrono::milliseconds base);

// Parses the `sources:` key of config file `yaml_text` (none: an empty config). `base_interval`
// is --collection.interval: a service's interval must not be below it, nor a source's below its
// service's. Errors are one line, "<source_name>:<line>: <reason>".
Result<SourcesConfig> parse_sources(std::string_view yaml_text, const std::string& source_name,
                                    std::chrono::milliseconds base_interval);

// A config file that makes the daemon run commands must be root's and writable by no one else:
// otherwise whoever can write it runs code as root.
Status check_command_config_owner(const std::string& path);

}  // namespace bpfproc
