#include "bpfproc/web/web_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include <spdlog/spdlog.h>

namespace bpfproc {
namespace {

// Event threads per listen address. Each owns its connections (epoll), so a slow client never
// holds a thread; but writing /metrics runs on them and may wait up to 1 s for a collection the
// scrape asked for, so several keep the others moving meanwhile. Cheap: a thread each, idle.
constexpr unsigned kEventThreads = 4;
// Open connections per listen address. Each costs a socket and at most kConnectionMemory, so
// 1,024 bound the server's buffers to 32 MiB; beyond it the connection is accepted and closed.
constexpr unsigned kConnectionLimit = 1024;
// Open connections per client address: a quarter of the limit, so one host (a slowloris, a
// runaway script) cannot take every slot while a Prometheus elsewhere still gets in. A
// Prometheus keeps one connection per target; 256 leaves ample room for several scrapers and
// people on one host. Loopback counts as one address, which the tests exercise: 200 slow
// connections from 127.0.0.1 stay under it, so a scrape from 127.0.0.1 is still admitted.
constexpr unsigned kConnectionsPerClient = 256;
// A connection idle (no byte in either direction) this long is closed. Prometheus reuses its
// connection between scrapes; its usual 15 s to 60 s intervals fit.
constexpr unsigned kIdleTimeoutSeconds = 60;
// A connection whose first request (TLS handshake and header) is not complete this long after it
// was accepted is shut down: a client trickling a byte a second never goes idle. A real client
// sends its request in one packet. libmicrohttpd 0.9.75 has no such deadline, so a thread of ours
// keeps it; later requests on a kept-alive connection only have the idle timeout.
constexpr auto kRequestHeaderDeadline = std::chrono::seconds(10);
// Per-connection memory for the request line, headers and read buffer: requests here are a few
// hundred bytes; anything above 32 KiB is answered 431 by libmicrohttpd.
constexpr std::size_t kConnectionMemory = 32 * 1024;
// Response bodies (mostly /metrics, a few hundred KiB to a few MiB each) queued but not yet sent
// to slow readers. Above this, new requests are answered 503 until some are sent: 1,000
// simultaneous scrapes cannot hold 1,000 copies of the exposition.
constexpr std::size_t kResponseBytesLimit = 256u << 20;
// bcrypt: two threads (a wrong-password flood costs at most two cores) and 64 waiting checks
// (a few seconds of work at cost 10); a check beyond that is answered 503 at once.
constexpr std::size_t kCredentialCheckThreads = 2;
constexpr std::size_t kCredentialCheckQueue = 64;

std::optional<std::string_view> header(MHD_Connection* connection, const char* name) {
  const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
  if (value == nullptr) return std::nullopt;
  return std::string_view(value);
}

void log_from_library(void*, const char* format, va_list arguments) {
  char line[512];
  std::vsnprintf(line, sizeof(line), format, arguments);
  std::string_view text(line);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  spdlog::debug("libmicrohttpd: {}", text);
}

}  // namespace

struct WebServer::RequestState {
  std::shared_ptr<BasicAuth> auth;  // the users in force when the request arrived
  std::atomic<CredentialCheck> check{CredentialCheck::kNotDone};
  std::atomic<bool> refused{false};  // the check could not be queued: 503
};

struct WebServer::OpenConnection {
  int socket_fd;
  std::chrono::steady_clock::time_point accepted;
};

struct HeldResponse {
  WebServer* server;
  std::string body;
};

struct WebServerCallbacks {
  static MHD_Result on_request(void* self, MHD_Connection* connection, const char* url, const char* method,
                               const char* /*version*/, const char* /*upload_data*/, std::size_t* upload_data_size,
                               void** request_context) {
    auto* server = static_cast<WebServer*>(self);
    auto* state = static_cast<WebServer::RequestState*>(*request_context);
    if (state == nullptr) {
      // The first call only has the headers. Answering in it would make libmicrohttpd close the
      // connection after the response (it cannot know the body was read); the next call comes
      // once the request is complete, and keeps the connection reusable for Prometheus.
      *request_context = new WebServer::RequestState{server->current_auth()};
      server->header_complete(connection);
      return MHD_YES;
    }
    // No endpoint takes a body; a request that sends one is answered (405) and its body dropped.
    if (*upload_data_size != 0) {
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (server->stopping_.load()) return queue(server, connection, RequestHandler::service_unavailable("Shutting down"));
    if (state->refused.load())
      return queue(server, connection, RequestHandler::service_unavailable("Too many password checks waiting"));
    if (server->response_bytes_in_flight_.load() > kResponseBytesLimit)
      return queue(server, connection, RequestHandler::service_unavailable("Too many responses waiting to be sent"));

    const HttpRequest request{method, url, header(connection, MHD_HTTP_HEADER_AUTHORIZATION),
                              header(connection, MHD_HTTP_HEADER_ACCEPT_ENCODING)};
    HttpResponse response = server->handler_->respond(request, *state->auth, state->check.load());
    if (!response.credentials_to_verify) return queue(server, connection, std::move(response));

    // bcrypt off the event thread: park the connection until the pool has the outcome. Suspend
    // before queueing, so that the resume can never come first.
    MHD_suspend_connection(connection);
    auto check = [connection, state, credentials = std::move(*response.credentials_to_verify)] {
      state->check = state->auth->verify(credentials) ? CredentialCheck::kPassed : CredentialCheck::kFailed;
      MHD_resume_connection(connection);
    };
    if (!server->credential_checks_->try_submit(std::move(check))) {
      state->refused = true;
      MHD_resume_connection(connection);
    }
    return MHD_YES;
  }

  static void on_request_completed(void*, MHD_Connection*, void** request_context, MHD_RequestTerminationCode) {
    delete static_cast<WebServer::RequestState*>(*request_context);
    *request_context = nullptr;
  }

  static void on_connection(void* self, MHD_Connection* connection, void** socket_context,
                            MHD_ConnectionNotificationCode code) {
    auto* server = static_cast<WebServer*>(self);
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
      // Called before libmicrohttpd closes the socket: once it is out of the set, the deadline
      // thread can no longer shut down a descriptor number that was reused.
      auto* open = static_cast<WebServer::OpenConnection*>(*socket_context);
      {
        std::lock_guard lock(server->connections_mutex_);
        server->awaiting_headers_.erase(open);
      }
      delete open;
      *socket_context = nullptr;
      return;
    }
    if (code != MHD_CONNECTION_NOTIFY_STARTED) return;
    if (const MHD_ConnectionInfo* fd_info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD)) {
      auto* open = new WebServer::OpenConnection{fd_info->connect_fd, std::chrono::steady_clock::now()};
      *socket_context = open;
      std::lock_guard lock(server->connections_mutex_);
      server->awaiting_headers_.insert(open);
    }
    auto tls = server->current_tls();
    if (!tls) return;
    // Before the handshake: the session gets the current certificate, priorities and policy.
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (info != nullptr && info->tls_session != nullptr)
      tls->prepare_session(static_cast<gnutls_session_t>(info->tls_session));
  }

  static void release_response(void* held) {
    auto* response = static_cast<HeldResponse*>(held);
    response->server->response_bytes_in_flight_ -= response->body.size();
    delete response;
  }

  static MHD_Result queue(WebServer* server, MHD_Connection* connection, HttpResponse response) {
    auto* held = new HeldResponse{server, std::move(response.body)};
    server->response_bytes_in_flight_ += held->body.size();
    MHD_Response* reply = MHD_create_response_from_buffer_with_free_callback_cls(
        held->body.size(), held->body.data(), &release_response, held);
    if (reply == nullptr) {
      release_response(held);
      return MHD_NO;  // closes the connection
    }
    for (const auto& [name, value] : response.headers) MHD_add_response_header(reply, name.c_str(), value.c_str());
    // http_server_config's headers, on every response (401 and 503 too), as exporter-toolkit does.
    for (const auto& [name, value] : *server->current_headers())
      MHD_add_response_header(reply, name.c_str(), value.c_str());
    const MHD_Result result = MHD_queue_response(connection, static_cast<unsigned>(response.status), reply);
    MHD_destroy_response(reply);
    return result;
  }
};

void WebServer::header_complete(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  if (info == nullptr || info->socket_context == nullptr) return;
  std::lock_guard lock(connections_mutex_);
  awaiting_headers_.erase(static_cast<OpenConnection*>(info->socket_context));
}

void WebServer::close_slow_headers() {
  std::unique_lock lock(connections_mutex_);
  while (!stopping_) {
    stop_deadlines_.wait_for(lock, std::chrono::seconds(1));
    const auto now = std::chrono::steady_clock::now();
    for (auto open = awaiting_headers_.begin(); open != awaiting_headers_.end();) {
      if (now - (*open)->accepted < kRequestHeaderDeadline) {
        ++open;
        continue;
      }
      // The event thread sees the end of the stream and closes the connection itself.
      (void)shutdown((*open)->socket_fd, SHUT_RDWR);
      open = awaiting_headers_.erase(open);
    }
  }
}

std::shared_ptr<BasicAuth> WebServer::current_auth() {
  std::lock_guard lock(config_mutex_);
  return auth_;
}

std::shared_ptr<const WebServer::Headers> WebServer::current_headers() {
  std::lock_guard lock(config_mutex_);
  return headers_;
}

std::shared_ptr<TlsContext> WebServer::current_tls() {
  std::lock_guard lock(config_mutex_);
  return tls_;
}

Status WebServer::start_daemon(FileDescriptor listening_socket) {
  std::vector<MHD_OptionItem> options = {
      {MHD_OPTION_LISTEN_SOCKET, listening_socket.get(), nullptr},
      {MHD_OPTION_THREAD_POOL_SIZE, kEventThreads, nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, kConnectionLimit, nullptr},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, kConnectionsPerClient, nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, kIdleTimeoutSeconds, nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(kConnectionMemory), nullptr},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&WebServerCallbacks::on_request_completed), this},
      {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&WebServerCallbacks::on_connection), this},
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&log_from_library), this},
  };
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  if (tls_) {
    flags |= MHD_USE_TLS;
    // libmicrohttpd needs a certificate to start; each session then gets the current one.
    options.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(tls_->certificate_pem().c_str())});
    options.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(tls_->key_pem().c_str())});
    options.push_back({MHD_OPTION_HTTPS_PRIORITIES, 0, const_cast<char*>(tls_->priority().c_str())});
  }
  options.push_back({MHD_OPTION_END, 0, nullptr});
  MHD_Daemon* daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &WebServerCallbacks::on_request, this,
                                        MHD_OPTION_ARRAY, options.data(), MHD_OPTION_END);
  if (daemon == nullptr) return Error{"cannot start the HTTP server (libmicrohttpd)", "--web.listen-address", errno};
  (void)listening_socket.release();  // the daemon owns and closes it
  daemons_.push_back(daemon);
  return Ok{};
}

Result<std::unique_ptr<WebServer>> WebServer::start(const WebOptions& options,
                                                    std::shared_ptr<ScrapeSource> metrics,
                                                    std::function<std::string()> health_json,
                                                    std::function<std::string()> config_yaml) {
  std::unique_ptr<WebServer> server(new WebServer());
  server->options_ = options;
  server->handler_ = std::make_unique<RequestHandler>(RequestHandler::Endpoints{
      .telemetry_path = options.telemetry_path,
      .write_metrics = [metrics = std::move(metrics)](std::string& text) { metrics->write(text); },
      .health_json = std::move(health_json),
      .config_yaml = std::move(config_yaml)});
  server->auth_ = std::make_shared<BasicAuth>(options.config.basic_auth_users);
  server->headers_ = std::make_shared<const Headers>(options.config.http_server.headers);
  if (options.config.tls) {
    auto tls = TlsContext::load(*options.config.tls);
    if (!tls) return tls.error();
    server->tls_ = std::move(*tls);
  }
  server->credential_checks_ = std::make_unique<CredentialCheckPool>(kCredentialCheckThreads, kCredentialCheckQueue);

  // kConnectionLimit connections per address need as many descriptors, and the usual soft limit
  // is 1,024 for the whole process: raise it toward the hard limit, as Go's runtime does (capped:
  // some hosts set a hard limit of a billion, and nothing here needs more than a few thousand).
  constexpr rlim_t kEnoughDescriptors = 65536;
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < kEnoughDescriptors) {
    files.rlim_cur = std::min(files.rlim_max, kEnoughDescriptors);
    (void)setrlimit(RLIMIT_NOFILE, &files);  // best effort: the limits still bound what we accept
  }

  // Bind every address before serving any: a port in use fails the start, with its reason.
  std::vector<FileDescriptor> sockets;
  for (const std::string& text : options.listen_addresses) {
    auto address = parse_listen_address(text);
    if (!address) return address.error();
    auto socket_fd = open_listening_socket(*address);
    if (!socket_fd) return socket_fd.error();
    sockaddr_storage bound{};
    socklen_t length = sizeof(bound);
    getsockname(socket_fd->get(), reinterpret_cast<sockaddr*>(&bound), &length);
    server->ports_.push_back(ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                                               : reinterpret_cast<sockaddr_in&>(bound).sin_port));
    sockets.push_back(std::move(*socket_fd));
  }
  server->deadline_thread_ = std::thread([raw = server.get()] { raw->close_slow_headers(); });
  for (FileDescriptor& socket_fd : sockets)
    if (auto started = server->start_daemon(std::move(socket_fd)); !started) return started.error();
  return server;
}

WebServer::~WebServer() {
  // Requests from now on are answered 503; the checks still queued run and resume their
  // connections, and only then do the event threads stop (a suspended connection would hold them).
  {
    std::lock_guard lock(connections_mutex_);
    stopping_ = true;
  }
  stop_deadlines_.notify_all();
  if (deadline_thread_.joinable()) deadline_thread_.join();
  if (credential_checks_) credential_checks_->stop();
  for (MHD_Daemon* daemon : daemons_) MHD_stop_daemon(daemon);
}

Status WebServer::reconfigure(const WebConfig& config) {
  std::lock_guard serialized(reconfigure_mutex_);
  if (config.tls.has_value() != options_.config.tls.has_value())
    return Error{config.tls ? "turning TLS on needs a restart" : "turning TLS off needs a restart", "tls_server_config"};
  std::shared_ptr<TlsContext> tls;
  if (config.tls) {
    auto loaded = TlsContext::load(*config.tls);
    if (!loaded) return loaded.error();
    tls = std::move(*loaded);
  }
  // Built before the swap: the dummy hash costs one bcrypt.
  auto auth = std::make_shared<BasicAuth>(config.basic_auth_users);
  std::lock_guard lock(config_mutex_);
  auth_ = std::move(auth);
  headers_ = std::make_shared<const Headers>(config.http_server.headers);
  if (tls) {
    retired_tls_.push_back(std::move(tls_));
    tls_ = std::move(tls);
  }
  options_.config = config;
  return Ok{};
}

}  // namespace bpfproc
