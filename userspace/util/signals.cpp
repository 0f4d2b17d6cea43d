#include "bpfproc/util/signals.h"

#include <pthread.h>

#include <atomic>

namespace bpfproc {
namespace {

// Written by a signal handler: only a lock-free atomic is safe there.
std::atomic<int> last_received_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

void record(int signal_number) { last_received_signal.store(signal_number, std::memory_order_relaxed); }
void interrupt(int) {}

}  // namespace

SignalHandlers::SignalHandlers(std::initializer_list<SignalDisposition> dispositions) {
  last_received_signal = 0;
  previous_.reserve(dispositions.size());
  for (const SignalDisposition& disposition : dispositions) {
    struct sigaction action {};
    switch (disposition.action) {
      case SignalAction::ignore: action.sa_handler = SIG_IGN; break;
      case SignalAction::record: action.sa_handler = record; break;
      case SignalAction::interrupt: action.sa_handler = interrupt; break;
    }
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
    Previous& previous = previous_.emplace_back(Previous{disposition.signal_number, {}});
    sigaction(disposition.signal_number, &action, &previous.action);
  }
}

SignalHandlers::~SignalHandlers() {
  // In reverse, so that a signal listed twice gets back what it had before the first.
  for (auto previous = previous_.rbegin(); previous != previous_.rend(); ++previous)
    sigaction(previous->signal_number, &previous->action, nullptr);
}

int received_signal() { return last_received_signal.load(std::memory_order_relaxed); }

int take_received_signal() { return last_received_signal.exchange(0, std::memory_order_relaxed); }

BlockedSignals::BlockedSignals(std::initializer_list<int> signal_numbers) {
  sigemptyset(&set_);
  for (int signal_number : signal_numbers) sigaddset(&set_, signal_number);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

int BlockedSignals::wait() const {
  int received = 0;
  sigwait(&set_, &received);
  return received;
}

}  // namespace bpfproc
