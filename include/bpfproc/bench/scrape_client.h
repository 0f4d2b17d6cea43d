#pragma once
// The smallest HTTP client bench needs: GET a path from a server on 127.0.0.1, as a scraper
// would, without compression (like tools/bench-scale's curl). HTTP/1.0, so the server closes the
// connection after the body and never chunks it.
#include <chrono>
#include <cstdint>
#include <string>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct HttpReply {
  int status = 0;
  std::string body;
  double seconds = 0;  // wall time from connect to the last byte
};

// Fails on a network error, a malformed response, timeout, or a stop signal; any status is a
// response.
Result<HttpReply> http_get(std::uint16_t port, const std::string& path, std::chrono::milliseconds timeout);

}  // namespace bpfproc
