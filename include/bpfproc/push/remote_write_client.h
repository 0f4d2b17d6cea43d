#pragma once
// One HTTP(S) POST of a remote_write body to one receiver, with libcurl: the protocol's headers,
// the receiver's auth and TLS settings, and what came back (status, Retry-After). One client
// per queue, used by its sender thread only, so the connection is kept alive between pushes.
#include <atomic>
#include <string>

#include "bpfproc/push/remote_write_options.h"

namespace bpfproc {

struct PostResult {
  long status = 0;          // HTTP status; 0 when no answer came (refused, timed out, TLS)
  std::string error;        // curl's reason when status is 0, or the start of the answer's body
  std::string retry_after;  // the Retry-After header, if any
  double seconds = 0;       // wall time of the request
};

class RemoteWriteClient {
 public:
  explicit RemoteWriteClient(RemoteWriteEndpoint endpoint);
  ~RemoteWriteClient();
  RemoteWriteClient(const RemoteWriteClient&) = delete;
  RemoteWriteClient& operator=(const RemoteWriteClient&) = delete;

  PostResult post(const std::string& body);
  // Ends the request under way and every later one at once (shutdown: a receiver that hangs
  // would otherwise hold the daemon's exit for the whole timeout). Any thread.
  void abort() { aborted_ = true; }

 private:
  RemoteWriteEndpoint endpoint_;
  std::atomic<bool> aborted_{false};
  void* curl_ = nullptr;  // CURL*, kept out of the header
};

}  // namespace bpfproc
