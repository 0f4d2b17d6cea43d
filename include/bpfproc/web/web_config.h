#pragma once
// --web.config.file: the Prometheus exporter-toolkit format, so one file serves every exporter on
// a host: `tls_server_config` (cert_file, key_file, client_auth_type, client_ca_file,
// min_version) and `basic_auth_users` (user: bcrypt hash).
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct TlsConfig {
  std::string cert_file;
  std::string key_file;
  bool require_client_cert = false;  // client_auth_type RequireAndVerifyClientCert
  std::string client_ca_file;
  int min_tls_minor_version = 2;     // min_version TLS12 (the default) or TLS13
};

struct WebConfig {
  std::optional<TlsConfig> tls;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

// Errors are one line: "<path>:<line>: <reason>", as for the grouping config.
Result<WebConfig> parse_web_config(std::string_view yaml_text, const std::string& source_name);
Result<WebConfig> load_web_config_file(const std::string& path);

// Checks HTTP basic-auth credentials against basic_auth_users. bcrypt is slow by design
// (~50 ms at cost 10), so credentials that passed once are remembered, as exporter-toolkit does.
class BasicAuth {
 public:
  explicit BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}
  bool enabled() const { return !users_.empty(); }
  // `authorization` is the Authorization header's value ("Basic base64(user:password)").
  bool allows(std::string_view authorization);

 private:
  std::map<std::string, std::string> users_;
  std::mutex mutex_;
  std::map<std::string, std::string> verified_;  // user -> password that matched its hash
};

// Standard base64 (RFC 4648) decoding; nullopt when `text` is not base64.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace bpfproc
