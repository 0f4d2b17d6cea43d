#pragma once
// --web.config.file: the Prometheus exporter-toolkit format, so one file serves every exporter on
// a host: `tls_server_config` (cert_file, key_file, client_auth_type, client_ca_file,
// min_version, max_version, cipher_suites, curve_preferences, prefer_server_cipher_suites),
// `http_server_config` (headers, http2) and `basic_auth_users` (user: bcrypt hash). A key it does
// not know is an error, never ignored.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

// exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType).
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,           // asked for, not verified
  kRequireAnyClientCert,        // required, not verified
  kVerifyClientCertIfGiven,     // verified against client_ca_file when given
  kRequireAndVerifyClientCert,  // required and verified
};

struct TlsConfig {
  std::string cert_file;
  std::string key_file;
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  std::string client_ca_file;
  // TLS 1.<minor>: 0 is TLS10 ... 3 is TLS13. exporter-toolkit's defaults: TLS12 up to TLS13.
  int min_tls_minor_version = 2;
  int max_tls_minor_version = 3;
  std::vector<std::string> cipher_suites;      // Go's names (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256...)
  std::vector<std::string> curve_preferences;  // Go's names (X25519, CurveP256, CurveP384, CurveP521)
  bool prefer_server_cipher_suites = true;
};

// Whether the policy verifies client certificates (and so needs client_ca_file).
bool verifies_client_certificates(ClientAuth client_auth);

struct HttpServerConfig {
  // Added to every response. exporter-toolkit's rule, kept so that one file means the same to
  // every exporter: only Strict-Transport-Security, X-Content-Type-Options (nosniff),
  // X-Frame-Options (deny or sameorigin), X-XSS-Protection and Content-Security-Policy.
  std::map<std::string, std::string> headers;
  // Accepted for the file's sake: libmicrohttpd speaks HTTP/1.1 only, which is what every
  // Prometheus scrape negotiates, so true and false serve alike.
  bool http2 = true;
};

struct WebConfig {
  std::optional<TlsConfig> tls;
  HttpServerConfig http_server;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

// Errors are one line: "<path>:<line>: <reason>", as for the grouping config.
Result<WebConfig> parse_web_config(std::string_view yaml_text, const std::string& source_name);
// Relative cert_file, key_file and client_ca_file are taken relative to the file's directory.
Result<WebConfig> load_web_config_file(const std::string& path);

}  // namespace bpfproc
