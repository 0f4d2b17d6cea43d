#include "bpfproc/web/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace bpfproc {
namespace {

// Pending connections the kernel queues before the server accepts them; accepts are quick (an
// event loop), so this only absorbs bursts such as many scrapers starting together.
constexpr int kListenBacklog = 1024;

Error bad(const std::string& text, const std::string& reason) { return Error{reason, "--web.listen-address " + text}; }

}  // namespace

Result<ListenAddress> parse_listen_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return bad(text, "expected [host]:port");
  std::string host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  int port_number = -1;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || port_number < 0 || port_number > 65535)
    return bad(text, "invalid port \"" + port + "\"");
  const auto network_port = htons(static_cast<std::uint16_t>(port_number));

  ListenAddress parsed;
  parsed.text = text;
  if (host.empty()) {
    parsed.any_host = true;
    auto& address = reinterpret_cast<sockaddr_in6&>(parsed.address);
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_any;
    address.sin6_port = network_port;
    parsed.length = sizeof(sockaddr_in6);
    return parsed;
  }
  if (host == "localhost") host = "127.0.0.1";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    auto& address = reinterpret_cast<sockaddr_in6&>(parsed.address);
    address.sin6_family = AF_INET6;
    address.sin6_port = network_port;
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &address.sin6_addr) != 1)
      return bad(text, "\"" + host + "\" is not an IPv6 address");
    parsed.length = sizeof(sockaddr_in6);
    return parsed;
  }
  auto& address = reinterpret_cast<sockaddr_in&>(parsed.address);
  address.sin_family = AF_INET;
  address.sin_port = network_port;
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1)
    return bad(text, "host must be an IP address, [IPv6 address], \"localhost\" or empty");
  parsed.length = sizeof(sockaddr_in);
  return parsed;
}

Result<FileDescriptor> open_listening_socket(const ListenAddress& requested) {
  ListenAddress address = requested;
  FileDescriptor socket_fd(socket(address.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!socket_fd && address.any_host && errno == EAFNOSUPPORT) {
    // A kernel without IPv6: ":port" is every IPv4 address.
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    any.sin_port = reinterpret_cast<const sockaddr_in6&>(requested.address).sin6_port;
    address.address = {};
    reinterpret_cast<sockaddr_in&>(address.address) = any;
    address.length = sizeof(any);
    socket_fd = FileDescriptor(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  }
  const auto failed = [&](const char* what) {
    return Error{what, "--web.listen-address " + requested.text, errno};
  };
  if (!socket_fd) return failed("cannot create a socket");
  const int one = 1;
  // A restarted daemon can bind again while its old connections are in TIME_WAIT.
  if (setsockopt(socket_fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) return failed("cannot listen");
  if (address.address.ss_family == AF_INET6) {
    // ":port" takes IPv4 too (as IPv4-mapped addresses); "[::]:port" and "[::1]:port" only IPv6.
    const int v6_only = address.any_host ? 0 : 1;
    if (setsockopt(socket_fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6_only, sizeof(v6_only)) != 0)
      return failed("cannot listen");
  }
  if (bind(socket_fd.get(), reinterpret_cast<const sockaddr*>(&address.address), address.length) != 0)
    return failed("cannot listen");
  if (listen(socket_fd.get(), kListenBacklog) != 0) return failed("cannot listen");
  return socket_fd;
}

}  // namespace bpfproc
