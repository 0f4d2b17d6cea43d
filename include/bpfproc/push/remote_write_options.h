#pragma once
// What --remote-write.* and --label say (and the same keys under remote_write: in the config
// file), checked once at start-up: a receiver URL that is not http(s), a label or header that
// does not parse, is bad input (exit 2), not something to find out at the first push.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "bpfproc/push/stale_series.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

// How to reach the receivers; every --remote-write.url shares it.
struct RemoteWriteEndpoint {
  std::string url;
  std::string basic_auth_username;
  std::string basic_auth_password_file;  // read at each request, so that a rotated password applies
  std::string bearer_token_file;         // the same
  std::string tls_ca_file;               // empty: the system's CAs
  std::string tls_cert_file;             // client certificate (mutual TLS), with its key
  std::string tls_key_file;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. X-Scope-OrgID for Mimir
  std::chrono::milliseconds timeout{30000};
};

struct RemoteWriteOptions {
  std::vector<RemoteWriteEndpoint> receivers;  // one queue each
  std::chrono::milliseconds interval{15000};
  // A queue holds this much of pushes while its receiver is down; older ones are dropped.
  std::chrono::milliseconds queue_duration{std::chrono::minutes(15)};
  SeriesLabels external_labels;  // sorted by name; the host identity label among them

  bool enabled() const { return !receivers.empty(); }
  // Pushes a queue holds: the queue duration over the interval, and at least one.
  std::size_t queue_batches() const;
};

// The flags as given, before any check.
struct RemoteWriteFlags {
  std::vector<std::string> urls;
  std::string interval = "15s";
  std::string queue_duration = "15m";
  std::string timeout = "30s";
  std::string basic_auth_username;
  std::string basic_auth_password_file;
  std::string bearer_token_file;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::vector<std::string> headers;  // "Name: value"
  std::vector<std::string> labels;   // "name=value"; instance=... overrides the host identity
};

// `hostname` is the identity's last resort; `root` prefixes the identity files ("/").
Result<RemoteWriteOptions> remote_write_options(const RemoteWriteFlags& flags, const std::string& root,
                                                const std::string& hostname);

// An http:// or https:// URL with a host; the error names the flag.
Status check_remote_write_url(const std::string& url);

}  // namespace bpfproc
