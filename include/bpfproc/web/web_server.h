#pragma once
// The HTTP endpoints on civetweb: /metrics (the text exposition written directly from the
// snapshot, gzip when asked), /health (JSON) and a landing page at /.
#include <functional>
#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <prometheus/summary.h>

#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/util/result.h"
#include "bpfproc/web/scrape_source.h"
#include "bpfproc/web/web_config.h"

class CivetServer;

struct mg_connection;

namespace bpfproc {

struct WebOptions {
  std::string listen_address = ":9435";  // node_exporter style: [host]:port
  std::string telemetry_path = "/metrics";
  WebConfig config;                      // TLS and basic auth, from --web.config.file
};

class WebServer {
 public:
  // Fails with one line when the address is invalid or the port is taken.
  static Result<std::unique_ptr<WebServer>> start(const WebOptions& options,
                                                   std::shared_ptr<ScrapeSource> metrics,
                                                   std::function<std::string()> health_json);
  ~WebServer();

 private:
  WebServer() = default;
  static int handle_request(struct mg_connection* connection);
  void serve_metrics(struct mg_connection* connection);

  WebOptions options_;
  std::unique_ptr<BasicAuth> basic_auth_;
  FileDescriptor certificate_file_;  // memfd holding key + certificate for civetweb, while it runs
  std::function<std::string()> health_json_;
  std::shared_ptr<ScrapeSource> metrics_;
  // The web server's own instrumentation, under the names prometheus::Exposer gave it, appended
  // to every scrape. Scrapes are counted once, by ScrapeSource (bpfproc_exporter_scrapes_total).
  std::shared_ptr<prometheus::Registry> self_metrics_ = std::make_shared<prometheus::Registry>();
  prometheus::Counter* transferred_bytes_ = nullptr;
  prometheus::Summary* request_latencies_ = nullptr;
  std::unique_ptr<CivetServer> civetweb_;
};

// ":9435" -> "9435", "localhost:9435" -> "127.0.0.1:9435", "[::1]:9435" stays; civetweb's syntax.
Result<std::string> civetweb_listening_port(const std::string& listen_address);

}  // namespace bpfproc
