#include "bpfproc/web/credential_check_pool.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

namespace bpfproc {

CredentialCheckPool::CredentialCheckPool(std::size_t threads, std::size_t queue_limit) : queue_limit_(queue_limit) {
  for (std::size_t index = 0; index < threads; ++index) {
    threads_.emplace_back([this] { run(); });
    pthread_setname_np(threads_.back().native_handle(), "bpfproc-bcrypt");
  }
}

CredentialCheckPool::~CredentialCheckPool() { stop(); }

bool CredentialCheckPool::try_submit(std::function<void()> check) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= queue_limit_) return false;
    queue_.push_back(std::move(check));
  }
  wake_.notify_one();
  return true;
}

void CredentialCheckPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_)
    if (thread.joinable()) thread.join();
}

void CredentialCheckPool::run() {
  // Below the event threads: on a busy host a flood of password checks then takes the CPU that
  // serving leaves, rather than delaying scrapes (Linux's nice is per thread).
  constexpr int kNiceness = 10;
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kNiceness);  // best effort
  for (;;) {
    std::function<void()> check;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      check = std::move(queue_.front());
      queue_.pop_front();
    }
    check();
  }
}

}  // namespace bpfproc
