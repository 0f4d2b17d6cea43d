#pragma once
// --web.listen-address, node_exporter style ([host]:port), and the listening socket for it. The
// daemon binds its sockets itself (rather than letting the HTTP library do it) so that a port in
// use or a bad address is reported with the real errno, and so that ":port" is one dual-stack
// socket.
#include <sys/socket.h>

#include <string>

#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct ListenAddress {
  std::string text;             // as given, for messages
  sockaddr_storage address{};
  socklen_t length = 0;
  bool any_host = false;        // ":port": IPv6 and IPv4 on one socket (IPv4 only without IPv6)
};

// ":9435" (every address, both stacks), "127.0.0.1:9435", "localhost:9435" (127.0.0.1),
// "[::1]:9435". Host names other than localhost are refused: the daemon does no DNS.
Result<ListenAddress> parse_listen_address(const std::string& text);

// A bound, listening, non-blocking socket. Errors name the address and the errno
// ("--web.listen-address 127.0.0.1:9435: cannot listen: Address already in use").
Result<FileDescriptor> open_listening_socket(const ListenAddress& address);

}  // namespace bpfproc
