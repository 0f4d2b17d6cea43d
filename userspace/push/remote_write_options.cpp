#include "bpfproc/push/remote_write_options.h"

#include <algorithm>
#include <cctype>

#include "bpfproc/push/host_identity.h"
#include "bpfproc/util/duration.h"

namespace bpfproc {
namespace {

// Prometheus' label name syntax: [a-zA-Z_][a-zA-Z0-9_]*; names starting with __ are reserved.
bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name.front())) || name.front() == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// RFC 9110 token characters, the ones a header name may hold.
bool valid_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::size_t RemoteWriteOptions::queue_batches() const {
  const auto batches = queue_duration.count() / std::max<std::int64_t>(1, interval.count());
  return static_cast<std::size_t>(std::max<std::int64_t>(1, batches));
}

Status check_remote_write_url(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https")
    return Error{"--remote-write.url " + url + ": must be an http:// or https:// URL", ""};
  const std::string rest = url.substr(scheme_end + 3);
  if (rest.empty() || rest.front() == '/' || rest.find_first_of(" \t\r\n") != std::string::npos)
    return Error{"--remote-write.url " + url + ": no host", ""};
  return Ok{};
}

Result<RemoteWriteOptions> remote_write_options(const RemoteWriteFlags& flags, const std::string& root,
                                                const std::string& hostname) {
  RemoteWriteOptions options;
  auto interval = parse_duration_flag("--remote-write.interval", flags.interval, /*positive=*/true);
  if (!interval) return interval.error();
  options.interval = *interval;
  auto queue_duration = parse_duration_flag("--remote-write.queue-duration", flags.queue_duration, /*positive=*/true);
  if (!queue_duration) return queue_duration.error();
  options.queue_duration = *queue_duration;
  auto timeout = parse_duration_flag("--remote-write.timeout", flags.timeout, /*positive=*/true);
  if (!timeout) return timeout.error();

  RemoteWriteEndpoint endpoint;
  endpoint.basic_auth_username = flags.basic_auth_username;
  endpoint.basic_auth_password_file = flags.basic_auth_password_file;
  endpoint.bearer_token_file = flags.bearer_token_file;
  endpoint.tls_ca_file = flags.tls_ca_file;
  endpoint.tls_cert_file = flags.tls_cert_file;
  endpoint.tls_key_file = flags.tls_key_file;
  endpoint.timeout = *timeout;
  if (!endpoint.basic_auth_username.empty() && !endpoint.bearer_token_file.empty())
    return Error{"--remote-write.basic-auth.username and --remote-write.bearer-token-file: choose one", ""};
  if (endpoint.tls_cert_file.empty() != endpoint.tls_key_file.empty())
    return Error{"--remote-write.tls.cert-file and --remote-write.tls.key-file go together", ""};
  for (const std::string& header : flags.headers) {
    const std::size_t colon = header.find(':');
    const std::string_view name = colon == std::string::npos ? "" : trimmed(std::string_view(header).substr(0, colon));
    if (!valid_header_name(name) || header.find_first_of("\r\n") != std::string::npos)
      return Error{"--remote-write.header " + header + ": expected \"Name: value\"", ""};
    endpoint.headers.emplace_back(name, trimmed(std::string_view(header).substr(colon + 1)));
  }
  for (const std::string& url : flags.urls) {
    if (auto valid = check_remote_write_url(url); !valid) return valid.error();
    endpoint.url = url;
    options.receivers.push_back(endpoint);
  }

  for (const std::string& label : flags.labels) {
    const std::size_t equals = label.find('=');
    const std::string name = label.substr(0, equals);
    if (equals == std::string::npos || !valid_label_name(name))
      return Error{"--label " + label + ": expected name=value with a label name such as datacenter", ""};
    if (std::any_of(options.external_labels.begin(), options.external_labels.end(),
                    [&](const auto& other) { return other.first == name; }))
      return Error{"--label " + label + ": " + name + " is given twice", ""};
    options.external_labels.emplace_back(name, label.substr(equals + 1));
  }
  // The host's identity, unless --label instance=... already names it.
  if (std::none_of(options.external_labels.begin(), options.external_labels.end(),
                   [](const auto& label) { return label.first == "instance"; }))
    options.external_labels.emplace_back("instance", host_identity(root, hostname).value);
  std::sort(options.external_labels.begin(), options.external_labels.end());
  return options;
}

}  // namespace bpfproc
