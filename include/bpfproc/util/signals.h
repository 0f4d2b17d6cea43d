#pragma once
// How bpfproc's commands take signals, in one place:
// - the daemon blocks SIGINT, SIGTERM and SIGHUP in every thread and waits for them
//   (BlockedSignals), so that no thread is interrupted mid-work and shutdown and reloads run on
//   the main thread;
// - bench and measure install handlers for as long as they run (SignalHandlers). A handler only
//   records the signal, and is installed without SA_RESTART, so that the blocking call it cut
//   short (poll, epoll_wait, nanosleep) returns EINTR and the caller acts on received_signal():
//   bench stops what it started, measure passes the signal on to its command.
#include <signal.h>

#include <initializer_list>
#include <vector>

namespace bpfproc {

enum class SignalAction {
  ignore,     // SIG_IGN
  record,     // recorded for received_signal()
  interrupt,  // nothing recorded: only cuts a blocking call short (EINTR)
};

struct SignalDisposition {
  int signal_number;
  SignalAction action;
};

// Installs dispositions while it lives and restores the previous ones when it goes. There is one
// received_signal() per process, so only one SignalHandlers should live at a time.
class SignalHandlers {
 public:
  // Also clears received_signal().
  explicit SignalHandlers(std::initializer_list<SignalDisposition> dispositions);
  ~SignalHandlers();
  SignalHandlers(const SignalHandlers&) = delete;
  SignalHandlers& operator=(const SignalHandlers&) = delete;

 private:
  struct Previous {
    int signal_number;
    struct sigaction action;
  };
  std::vector<Previous> previous_;
};

// The last signal a `record` handler received; 0 if none since the handlers were installed.
int received_signal();
// received_signal(), cleared at once: for a signal to be acted on once (measure passes it on).
int take_received_signal();

// Blocks signals in the calling thread and so in every thread it starts afterwards (threads
// inherit the mask); wait() then receives them. They stay blocked when this goes: a second
// signal during shutdown must not kill the process half-way.
class BlockedSignals {
 public:
  explicit BlockedSignals(std::initializer_list<int> signal_numbers);
  // Sleeps until one of them arrives; returns its number.
  int wait() const;

 private:
  sigset_t set_{};
};

}  // namespace bpfproc
