#pragma once
// Waiting in `bpfproc bench`, interruptible by SIGINT, SIGTERM and SIGHUP. Their handlers
// (util/signals.h) only record the signal and cut the blocking call short. Every wait of the
// bench then sees stop_requested() and returns, and the destructors of what the bench started
// stop it on the way out.
#include <poll.h>  // POLLIN, POLLOUT for wait_for

#include <chrono>

#include "bpfproc/util/signals.h"

namespace bpfproc {

// The bench's signal handlers, installed while it lives; the previous ones are restored after.
class StopSignals {
 public:
  StopSignals();

 private:
  SignalHandlers handlers_;
};

bool stop_requested();
int stop_signal();  // the signal received, 0 if none

using Deadline = std::chrono::steady_clock::time_point;
inline Deadline deadline_in(std::chrono::milliseconds duration) { return std::chrono::steady_clock::now() + duration; }

enum class Readiness { ready, timed_out, stopped };

// Polls `fd` for `events` (POLLIN, POLLOUT) until `deadline`. Returns `stopped` as soon as a stop
// signal has arrived, unless `ignore_stop` is set (for the waits of the cleanup itself).
Readiness wait_for(int fd, short events, Deadline deadline, bool ignore_stop = false);

// Sleeps for `duration`; false when a stop signal cut it short.
bool sleep_unless_stopped(std::chrono::milliseconds duration);

}  // namespace bpfproc
