#pragma once
// The HTTP front end on libmicrohttpd: the endpoints of web/request_handler, TLS (web/tls_context)
// and basic auth (web/basic_auth) from --web.config.file, on one or more listen addresses.
//
// Connection model: per listen address, a few event threads (epoll) that each own their
// connections, so a slow client costs a socket and a little memory, never a thread. bcrypt runs
// on a small bounded pool (web/credential_check_pool) while the connection is suspended. Limits
// and their reasons are next to their values in web_server.cpp.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bpfproc/util/result.h"
#include "bpfproc/web/basic_auth.h"
#include "bpfproc/web/credential_check_pool.h"
#include "bpfproc/web/listen_address.h"
#include "bpfproc/web/request_handler.h"
#include "bpfproc/web/scrape_source.h"
#include "bpfproc/web/tls_context.h"
#include "bpfproc/web/web_config.h"

struct MHD_Daemon;
struct MHD_Connection;

namespace bpfproc {

struct WebOptions {
  std::vector<std::string> listen_addresses = {":9435"};  // node_exporter style: [host]:port
  std::string telemetry_path = "/metrics";
  WebConfig config;  // TLS and basic auth, from --web.config.file
};

class WebServer {
 public:
  // Fails with one line when an address is invalid or cannot be bound (port in use), or when the
  // TLS files cannot be used (TlsContext::load's errors: check them first with it for exit 2).
  static Result<std::unique_ptr<WebServer>> start(const WebOptions& options,
                                                   std::shared_ptr<ScrapeSource> metrics,
                                                   std::function<std::string()> health_json,
                                                   std::function<std::string()> config_yaml = {});
  ~WebServer();

  // Swaps basic_auth_users and the TLS settings (certificate, key, CAs, client_auth_type,
  // versions, suites, curves) for the connections that start from now on; connections already
  // open keep theirs. Safe from any thread. Turning TLS on or off needs a restart and is refused, as is a config whose
  // files cannot be used: the old one keeps serving.
  [[nodiscard]] Status reconfigure(const WebConfig& config);

  // The ports actually bound, in the order of listen_addresses (port 0 asks the kernel for one).
  const std::vector<int>& ports() const { return ports_; }

 private:
  WebServer() = default;
  struct RequestState;
  struct OpenConnection;
  void close_slow_headers();  // the thread behind the request-header deadline
  void header_complete(MHD_Connection* connection);
  using Headers = std::map<std::string, std::string>;
  std::shared_ptr<BasicAuth> current_auth();
  std::shared_ptr<const Headers> current_headers();
  std::shared_ptr<TlsContext> current_tls();
  Status start_daemon(FileDescriptor listening_socket);

  friend struct WebServerCallbacks;  // libmicrohttpd's callbacks, in web_server.cpp

  WebOptions options_;
  std::unique_ptr<RequestHandler> handler_;
  std::unique_ptr<CredentialCheckPool> credential_checks_;

  std::mutex reconfigure_mutex_;  // one reconfigure at a time
  std::mutex config_mutex_;  // guards the three pointers below; held for a copy, never for a request
  std::shared_ptr<BasicAuth> auth_;
  std::shared_ptr<TlsContext> tls_;
  std::shared_ptr<const Headers> headers_;  // http_server_config's
  // Contexts replaced by reconfigure: sessions started under them may still use their credentials.
  std::vector<std::shared_ptr<TlsContext>> retired_tls_;

  // Connections whose first request header is not complete yet; the deadline thread shuts down
  // those that take too long.
  std::mutex connections_mutex_;
  std::set<OpenConnection*> awaiting_headers_;
  std::condition_variable stop_deadlines_;
  std::thread deadline_thread_;

  std::atomic<std::size_t> response_bytes_in_flight_{0};
  std::atomic<bool> stopping_{false};
  std::vector<int> ports_;
  std::vector<MHD_Daemon*> daemons_;
};

}  // namespace bpfproc
