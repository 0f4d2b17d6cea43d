#include "bpfproc/util/interruptible_wait.h"

#include <poll.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cerrno>

namespace bpfproc {
namespace {

// A signal that lands between the stop check and the blocking call does not interrupt it, so no
// single wait is longer than this: a stop is noticed within 100 ms at worst.
constexpr std::chrono::milliseconds kLongestSlice{100};

int slice_until(Deadline deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, kLongestSlice.count()));
}

}  // namespace

StopSignals::StopSignals()
    : handlers_({{SIGINT, SignalAction::record},
                 {SIGTERM, SignalAction::record},
                 {SIGHUP, SignalAction::record},
                 // A write to a child that died must fail with EPIPE, not kill the bench before it
                 // cleans up.
                 {SIGPIPE, SignalAction::ignore}}) {}

bool stop_requested() { return received_signal() != 0; }
int stop_signal() { return received_signal(); }

Readiness wait_for(int fd, short events, Deadline deadline, bool ignore_stop) {
  for (;;) {
    if (!ignore_stop && stop_requested()) return Readiness::stopped;
    pollfd entry{fd, events, 0};
    const int ready = poll(&entry, 1, slice_until(deadline));
    if (ready > 0) return Readiness::ready;
    if (ready == 0 && std::chrono::steady_clock::now() >= deadline) return Readiness::timed_out;
    if (ready < 0 && errno != EINTR) return Readiness::ready;  // the caller's read or write reports the error
  }
}

bool sleep_unless_stopped(std::chrono::milliseconds duration) {
  const Deadline deadline = deadline_in(duration);
  for (;;) {
    if (stop_requested()) return false;
    if (std::chrono::steady_clock::now() >= deadline) return true;
    const int left = slice_until(deadline);
    const timespec pause{left / 1000, (left % 1000) * 1'000'000L};
    nanosleep(&pause, nullptr);  // EINTR on a signal: the loop checks for a stop
  }
}

}  // namespace bpfproc
