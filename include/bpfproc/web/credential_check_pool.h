#pragma once
// Where bcrypt runs: a few threads and a bounded queue, so that password checks never occupy the
// HTTP event threads and a flood of wrong passwords costs at most `threads` cores. A check that
// finds the queue full is refused at once (the server answers 503) rather than queued without
// bound.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bpfproc {

class CredentialCheckPool {
 public:
  CredentialCheckPool(std::size_t threads, std::size_t queue_limit);
  ~CredentialCheckPool();  // stop()
  CredentialCheckPool(const CredentialCheckPool&) = delete;
  CredentialCheckPool& operator=(const CredentialCheckPool&) = delete;

  // False when `queue_limit` checks already wait, or after stop(): the caller answers at once.
  bool try_submit(std::function<void()> check);
  // Runs what is queued, joins the threads, and refuses from then on.
  void stop();

 private:
  void run();

  const std::size_t queue_limit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace bpfproc
