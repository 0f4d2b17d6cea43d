#include "bpfproc/web/request_handler.h"

#include <chrono>

#include <prometheus/text_serializer.h>

#include "bpfproc/grouping/catalogue_listing.h"
#include "bpfproc/web/gzip.h"

namespace bpfproc {
namespace {

HttpResponse text_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  response.body = std::move(body);
  return response;
}

std::string landing_page(const std::string& metrics, bool has_config) {
  return "<!DOCTYPE html>\n<html><head><title>bpfproc</title></head><body>\n"
         "<h1>bpfproc</h1>\n<p>Exact per-process-group CPU, scheduling and memory metrics from eBPF.</p>\n"
         "<ul>\n<li><a href=\"" + metrics + "\">" + metrics + "</a>: metrics</li>\n"
         "<li><a href=\"/health\">/health</a>: BPF programs, collectors and lost events, as JSON</li>\n" +
         (has_config ? "<li><a href=\"/config\">/config</a>: the configuration in force, as YAML</li>\n" : "") +
         "<li><a href=\"/catalogue\">/catalogue</a>: the built-in catalogue of well-known programs, as YAML</li>\n"
         "</ul>\n</body></html>\n";
}

// What `bpfproc catalogue --format yaml` prints: it never changes, so it is built once.
const std::string& catalogue_yaml() {
  static const std::string yaml = [] {
    auto listing = catalogue_listing(builtin_catalogue(), CatalogueFormat::kYaml);
    return listing ? std::move(*listing) : listing.error().message() + "\n";  // every entry: never an error
  }();
  return yaml;
}

}  // namespace

RequestHandler::RequestHandler(Endpoints endpoints) : endpoints_(std::move(endpoints)) {
  transferred_bytes_ = &prometheus::BuildCounter()
                            .Name("exposer_transferred_bytes_total")
                            .Help("Transferred bytes to metrics services")
                            .Register(*self_metrics_)
                            .Add({});
  // The quantiles prometheus::Exposer used, so that dashboards of it keep working.
  request_latencies_ = &prometheus::BuildSummary()
                            .Name("exposer_request_latencies")
                            .Help("Latencies of serving scrape requests, in microseconds")
                            .Register(*self_metrics_)
                            .Add({}, prometheus::Summary::Quantiles{{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}});
}

HttpResponse RequestHandler::service_unavailable(std::string_view reason) {
  HttpResponse response = text_response(503, std::string(reason) + "\n");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

HttpResponse RequestHandler::respond(const HttpRequest& request, const BasicAuth& auth, CredentialCheck check) {
  if (auth.enabled() && check != CredentialCheck::kPassed) {
    Credentials credentials;
    const auto verdict = check == CredentialCheck::kFailed || !request.authorization
                             ? BasicAuth::Verdict::kDenied
                             : auth.check_cached(*request.authorization, credentials);
    if (verdict == BasicAuth::Verdict::kNeedsCheck) {
      HttpResponse deferred;
      deferred.status = 0;
      deferred.credentials_to_verify = std::move(credentials);
      return deferred;
    }
    if (verdict == BasicAuth::Verdict::kDenied) {
      HttpResponse response = text_response(401, "Unauthorized\n");
      response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"bpfproc\"");
      return response;
    }
  }

  const bool is_metrics = request.path == endpoints_.telemetry_path;
  const bool is_config = request.path == "/config" && endpoints_.config_yaml;
  const bool is_catalogue = request.path == "/catalogue";
  if (!is_metrics && !is_config && !is_catalogue && request.path != "/health" && request.path != "/")
    return text_response(404, "Not Found\n");
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = text_response(405, "Method Not Allowed\n");
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  if (is_metrics) return serve_metrics(request);
  HttpResponse response;
  if (request.path == "/health") {
    response.headers = {{"Content-Type", "application/json"}};
    response.body = endpoints_.health_json();
  } else if (is_config) {
    response = text_response(200, endpoints_.config_yaml());
  } else if (is_catalogue) {
    response = text_response(200, catalogue_yaml());
  } else {
    response.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    response.body = landing_page(endpoints_.telemetry_path, static_cast<bool>(endpoints_.config_yaml));
  }
  return response;
}

HttpResponse RequestHandler::serve_metrics(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  // One buffer per server thread, kept between scrapes: after the first scrape, writing the
  // exposition allocates nothing (unless the text outgrows the buffer).
  thread_local std::string text;
  endpoints_.write_metrics(text);
  text += prometheus::TextSerializer().Serialize(self_metrics_->Collect());

  HttpResponse response;
  // The headers prometheus::Exposer sent: text format 0.0.4 is Prometheus's default for text/plain.
  response.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  if (request.accept_encoding && accepts_gzip(std::string(*request.accept_encoding).c_str()) &&
      gzip_compress(text, response.body).ok()) {
    response.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    response.body.assign(text);  // a copy: the server sends it after this thread moved on
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  request_latencies_->Observe(static_cast<double>(elapsed.count()));
  transferred_bytes_->Increment(static_cast<double>(response.body.size()));
  return response;
}

}  // namespace bpfproc
