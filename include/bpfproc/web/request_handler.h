#pragma once
// What the server answers, without the server: method, path, Authorization and Accept-Encoding in;
// status, headers and body out. Independent of the HTTP library, so that it is unit-tested and
// fuzzed (tests/fuzz/http_request_fuzzer.cpp) on its own.
//
// Endpoints: the telemetry path (the text exposition of the latest snapshot plus the server's own
// metrics, gzip when asked), /health (JSON), /config (the configuration in force, YAML, when the
// daemon gives one), /catalogue (the built-in catalogue, YAML) and the landing page /. GET and HEAD only (405
// otherwise); with basic_auth_users every endpoint needs the credentials (401), as with
// exporter-toolkit.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <prometheus/summary.h>

#include "bpfproc/web/basic_auth.h"

namespace bpfproc {

struct HttpRequest {
  std::string_view method;
  std::string_view path;  // without the query string
  std::optional<std::string_view> authorization;
  std::optional<std::string_view> accept_encoding;
};

// Whether the request's credentials went through bcrypt (BasicAuth::verify), and the outcome.
enum class CredentialCheck { kNotDone, kPassed, kFailed };

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // also for HEAD: the server sends its length and not the bytes
  // Set (status 0, nothing else) when the credentials are in no cache: the caller runs
  // BasicAuth::verify off its event loop and asks again with the outcome.
  std::optional<Credentials> credentials_to_verify;
};

class RequestHandler {
 public:
  struct Endpoints {
    std::string telemetry_path = "/metrics";
    // Replaces the contents of its argument with the exposition (ScrapeSource::write).
    std::function<void(std::string&)> write_metrics;
    std::function<std::string()> health_json;
    std::function<std::string()> config_yaml;  // empty: no /config
  };
  explicit RequestHandler(Endpoints endpoints);

  HttpResponse respond(const HttpRequest& request, const BasicAuth& auth,
                       CredentialCheck check = CredentialCheck::kNotDone);

  // The answer to a request refused before it is handled (the server is overloaded).
  static HttpResponse service_unavailable(std::string_view reason);

 private:
  HttpResponse serve_metrics(const HttpRequest& request);

  Endpoints endpoints_;
  // The web server's own instrumentation, under the names prometheus::Exposer gave it, appended
  // to every scrape. Scrapes are counted once, by ScrapeSource (bpfproc_exporter_scrapes_total).
  std::shared_ptr<prometheus::Registry> self_metrics_ = std::make_shared<prometheus::Registry>();
  prometheus::Counter* transferred_bytes_ = nullptr;
  prometheus::Summary* request_latencies_ = nullptr;
};

}  // namespace bpfproc
