#include "bpfproc/bench/scrape_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "bpfproc/util/clock.h"
#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/util/interruptible_wait.h"

namespace bpfproc {
namespace {

Error failure(const std::string& what, const std::string& url, int errno_value = 0) {
  return Error{what, "GET " + url, errno_value};
}

}  // namespace

Result<HttpReply> http_get(std::uint16_t port, const std::string& path, std::chrono::milliseconds timeout) {
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  const Deadline deadline = deadline_in(timeout);
  const double started = clock_seconds(CLOCK_MONOTONIC);
  const FileDescriptor connection(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!connection) return failure("cannot create a socket", url, errno);

  // Non-blocking throughout, so that every step honours the deadline and stop signals.
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(connection.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 &&
      errno != EINPROGRESS)
    return failure("cannot connect", url, errno);

  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    switch (wait_for(connection.get(), POLLOUT, deadline)) {
      case Readiness::stopped: return failure("interrupted", url);
      case Readiness::timed_out: return failure("timed out", url);
      case Readiness::ready: break;
    }
    const ssize_t count = send(connection.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (count < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return failure("cannot send the request", url, errno);
    }
    sent += static_cast<std::size_t>(count);
  }

  std::string response;
  for (;;) {
    switch (wait_for(connection.get(), POLLIN, deadline)) {
      case Readiness::stopped: return failure("interrupted", url);
      case Readiness::timed_out: return failure("timed out", url);
      case Readiness::ready: break;
    }
    char chunk[64 * 1024];  // a 10,000-process exposition is a few hundred KiB: a few reads
    const ssize_t count = recv(connection.get(), chunk, sizeof(chunk), 0);
    if (count == 0) break;
    if (count < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return failure("cannot read the response", url, errno);
    }
    response.append(chunk, static_cast<std::size_t>(count));
  }

  HttpReply result;
  result.seconds = clock_seconds(CLOCK_MONOTONIC) - started;
  // "HTTP/1.x NNN reason"
  const auto space = response.find(' ');
  const auto header_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/", 0) != 0 || space == std::string::npos || header_end == std::string::npos)
    return failure("malformed response", url);
  const char* code = response.data() + space + 1;
  if (std::from_chars(code, code + 3, result.status).ec != std::errc()) return failure("malformed status line", url);
  result.body = response.substr(header_end + 4);
  return result;
}

}  // namespace bpfproc
