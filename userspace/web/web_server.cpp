#include "bpfproc/web/web_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <charconv>
#include <cstring>

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/text_serializer.h>

#include "bpfproc/util/whole_file.h"
#include "bpfproc/web/gzip.h"

namespace bpfproc {
namespace {

// civetweb calls begin_request with only the connection; the WebServer is the CivetServer's user
// context.
WebServer* server_of(struct mg_connection* connection) {
  const auto* civetweb = static_cast<const CivetServer*>(mg_get_user_data(mg_get_context(connection)));
  return civetweb == nullptr ? nullptr : static_cast<WebServer*>(const_cast<void*>(civetweb->getUserContext()));
}

void send(struct mg_connection* connection, const char* content_type, const std::string& body) {
  mg_printf(connection,
            "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
            content_type, body.size());
  mg_write(connection, body.data(), body.size());
}

// Port-in-use and bad-address errors from civetweb carry no errno; a bind of our own names the cause.
Error explain_listen_failure(const std::string& listen_address, const std::string& civetweb_port) {
  std::string host = "0.0.0.0";
  std::string port = civetweb_port;
  bool ipv6 = false;
  if (auto colon = civetweb_port.rfind(':'); colon != std::string::npos) {
    host = civetweb_port.substr(0, colon);
    port = civetweb_port.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[') {
      host = host.substr(1, host.size() - 2);
      ipv6 = true;
    }
  }
  int port_number = 0;
  std::from_chars(port.data(), port.data() + port.size(), port_number);
  const FileDescriptor probe(socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int errno_value = 0;
  if (probe) {
    int result;
    if (ipv6) {
      sockaddr_in6 address{};
      address.sin6_family = AF_INET6;
      address.sin6_port = htons(static_cast<std::uint16_t>(port_number));
      inet_pton(AF_INET6, host.c_str(), &address.sin6_addr);
      result = bind(probe.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address));
    } else {
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<std::uint16_t>(port_number));
      inet_pton(AF_INET, host.c_str(), &address.sin_addr);
      result = bind(probe.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address));
    }
    if (result != 0) errno_value = errno;
  }
  return Error{"cannot listen", "--web.listen-address " + listen_address, errno_value};
}

// civetweb wants the key and the certificate in one PEM file. They go into an anonymous memory
// file rather than onto disk, so the private key is never copied anywhere.
Result<FileDescriptor> certificate_memfd(const TlsConfig& tls) {
  std::string pem;
  for (const std::string* path : {&tls.key_file, &tls.cert_file}) {
    auto text = read_whole_file(*path);
    if (!text) return Error{"cannot read", *path, text.error().errno_value};
    pem += *text;
    if (!pem.empty() && pem.back() != '\n') pem += '\n';
  }
  FileDescriptor memory_file(memfd_create("bpfproc-tls", MFD_CLOEXEC));
  if (!memory_file) return Error{"cannot create a memory file for the TLS key", "memfd_create", errno};
  if (write(memory_file.get(), pem.data(), pem.size()) != static_cast<ssize_t>(pem.size()))
    return Error{"cannot write the TLS key", "memfd", errno};
  return memory_file;
}

}  // namespace

Result<std::string> civetweb_listening_port(const std::string& listen_address) {
  const auto colon = listen_address.rfind(':');
  if (colon == std::string::npos) return Error{"expected [host]:port", "--web.listen-address " + listen_address};
  std::string host = listen_address.substr(0, colon);
  const std::string port = listen_address.substr(colon + 1);
  int port_number = -1;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (error != std::errc() || end != port.data() + port.size() || port_number < 0 || port_number > 65535)
    return Error{"invalid port \"" + port + "\"", "--web.listen-address " + listen_address};
  if (host.empty()) return port;
  if (host == "localhost") host = "127.0.0.1";
  if (host.front() != '[') {
    in_addr parsed{};
    if (inet_pton(AF_INET, host.c_str(), &parsed) != 1)
      return Error{"host must be an IP address, \"localhost\" or empty", "--web.listen-address " + listen_address};
  }
  return host + ":" + port;
}

Result<std::unique_ptr<WebServer>> WebServer::start(const WebOptions& options,
                                                    std::shared_ptr<ScrapeSource> metrics,
                                                    std::function<std::string()> health_json) {
  auto port = civetweb_listening_port(options.listen_address);
  if (!port) return port.error();

  std::unique_ptr<WebServer> server(new WebServer());
  server->options_ = options;
  server->health_json_ = std::move(health_json);
  server->metrics_ = std::move(metrics);
  server->basic_auth_ = std::make_unique<BasicAuth>(options.config.basic_auth_users);

  // Two worker threads: scrapes are serialised on the process table anyway.
  std::vector<std::string> civetweb_options{"listening_ports", *port, "num_threads", "2"};
  if (const auto& tls = options.config.tls) {
    // civetweb loads OpenSSL's functions by name, only when asked to. Debian 12's civetweb 1.15
    // asks for names that OpenSSL 3 only has as macros (civetweb issue #1334), so this fails
    // there; serving would then crash on a null function, hence the check.
    if (mg_check_feature(MG_FEATURES_TLS) == 0 || mg_init_library(MG_FEATURES_TLS) == 0)
      return Error{"TLS is unavailable: this civetweb cannot load OpenSSL (civetweb 1.15 with OpenSSL 3); "
                   "use basic_auth_users behind a TLS-terminating proxy",
                   "tls_server_config"};
    auto memory_file = certificate_memfd(*tls);
    if (!memory_file) return memory_file.error();
    server->certificate_file_ = std::move(*memory_file);
    const std::string certificate_path = "/proc/self/fd/" + std::to_string(server->certificate_file_.get());
    civetweb_options[1] += "s";  // civetweb's marker for a TLS port
    // civetweb's ssl_protocol_version: 4 is TLS 1.2 and later, 5 is TLS 1.3 only.
    civetweb_options.insert(civetweb_options.end(), {"ssl_certificate", certificate_path, "ssl_protocol_version",
                                                     tls->min_tls_minor_version >= 3 ? "5" : "4"});
    if (tls->require_client_cert)
      civetweb_options.insert(civetweb_options.end(), {"ssl_verify_peer", "yes", "ssl_ca_file", tls->client_ca_file});
  }

  server->transferred_bytes_ = &prometheus::BuildCounter()
                                    .Name("exposer_transferred_bytes_total")
                                    .Help("Transferred bytes to metrics services")
                                    .Register(*server->self_metrics_)
                                    .Add({});
  // The quantiles prometheus::Exposer used, so that dashboards of it keep working.
  server->request_latencies_ = &prometheus::BuildSummary()
                                    .Name("exposer_request_latencies")
                                    .Help("Latencies of serving scrape requests, in microseconds")
                                    .Register(*server->self_metrics_)
                                    .Add({}, prometheus::Summary::Quantiles{{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}});

  static CivetCallbacks callbacks{};
  callbacks.begin_request = handle_request;
  try {
    server->civetweb_ = std::make_unique<CivetServer>(civetweb_options, &callbacks, server.get());
  } catch (const std::exception&) {
    return explain_listen_failure(options.listen_address, *port);
  }
  return server;
}

WebServer::~WebServer() {
  civetweb_.reset();  // stops civetweb's threads before the members they use go
}

void WebServer::serve_metrics(struct mg_connection* connection) {
  const auto start = std::chrono::steady_clock::now();
  // One buffer per civetweb worker thread, kept between scrapes: after the first scrape, writing
  // the exposition allocates nothing (unless the text outgrows the buffer).
  thread_local std::string text;
  thread_local std::string compressed;
  metrics_->write(text);
  text += prometheus::TextSerializer().Serialize(self_metrics_->Collect());

  const std::string* body = &text;
  const char* encoding = "";
  if (accepts_gzip(mg_get_header(connection, "Accept-Encoding")) && gzip_compress(text, compressed).ok()) {
    body = &compressed;
    encoding = "Content-Encoding: gzip\r\n";
  }
  // The headers prometheus::Exposer sent: text format 0.0.4 is Prometheus's default for text/plain.
  mg_printf(connection, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n%sContent-Length: %zu\r\n\r\n",
            encoding, body->size());
  mg_write(connection, body->data(), body->size());

  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  request_latencies_->Observe(static_cast<double>(elapsed.count()));
  transferred_bytes_->Increment(static_cast<double>(body->size()));
}

int WebServer::handle_request(struct mg_connection* connection) {
  WebServer* server = server_of(connection);
  const mg_request_info* request = mg_get_request_info(connection);
  if (server == nullptr || request == nullptr || request->local_uri == nullptr) return 0;
  const std::string path = request->local_uri;

  // Every endpoint needs the credentials when basic_auth_users is set, as with exporter-toolkit.
  if (server->basic_auth_->enabled()) {
    const char* authorization = mg_get_header(connection, "Authorization");
    if (authorization == nullptr || !server->basic_auth_->allows(authorization)) {
      mg_printf(connection,
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"bpfproc\"\r\n"
                "Content-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nUnauthorized\n");
      return 401;
    }
  }

  if (path == server->options_.telemetry_path) {
    if (std::strcmp(request->request_method, "GET") != 0) {
      mg_printf(connection,
                "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return 405;
    }
    server->serve_metrics(connection);
    return 200;
  }
  if (path == "/health") {
    send(connection, "application/json", server->health_json_());
    return 200;
  }
  if (path == "/") {
    const std::string& metrics = server->options_.telemetry_path;
    send(connection, "text/html; charset=utf-8",
         "<!DOCTYPE html>\n<html><head><title>bpfproc</title></head><body>\n"
         "<h1>bpfproc</h1>\n<p>Exact per-process-group CPU, scheduling and memory metrics from eBPF.</p>\n"
         "<ul>\n<li><a href=\"" + metrics + "\">" + metrics + "</a>: metrics</li>\n"
         "<li><a href=\"/health\">/health</a>: BPF programs, collectors and lost events, as JSON</li>\n"
         "</ul>\n</body></html>\n");
    return 200;
  }
  return 0;  // civetweb answers 404
}

}  // namespace bpfproc
