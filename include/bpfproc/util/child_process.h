#pragma once
// A process that `bpfproc bench` starts: the daemon, swarm, churn, or one side of the ping-pong.
// Each runs in a process group of its own, so that stopping it also stops what it started
// (swarm's sleepers, churn's burns), and it dies with the bench even when the bench is killed
// with SIGKILL (PR_SET_PDEATHSIG). The destructor stops and reaps it, so whichever way the bench
// leaves, nothing it started outlives it.
#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct ChildExit {
  int status = 0;  // as waitpid reports it
  rusage usage{};  // from wait4: the child and every descendant it waited for
};

class ChildProcess {
 public:
  struct Pipes {
    bool stdin_pipe = false;   // otherwise stdin is /dev/null
    bool stdout_pipe = false;  // otherwise stdout is /dev/null; stderr is the bench's own
  };
  // Runs argv[0] (a path) with argv. Fails with errno when the program cannot be executed.
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv, Pipes pipes);
  // Forks and runs `body` in the child, which exits with its return value.
  static Result<ChildProcess> fork_function(const std::function<int()>& body);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  void close_stdin();
  // The next line of its stdout, without the newline. Fails at end of file, on timeout, or when a
  // stop signal arrives.
  Result<std::string> read_line(std::chrono::milliseconds timeout);
  // True until it has exited (it is not reaped here).
  bool running() const;
  // Waits until it exits and reaps it. Fails on timeout or when a stop signal arrives; it is
  // then still running.
  Result<ChildExit> wait(std::chrono::milliseconds timeout);
  // SIGTERM to its process group, SIGKILL to the group after `grace`, then reaps it. Does nothing
  // once it has been reaped.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  ChildProcess() = default;
  static Result<ChildProcess> start(const std::function<void()>& in_child, Pipes pipes);

  pid_t pid_ = -1;  // -1 once reaped
  FileDescriptor pidfd_;  // readable once the child has exited; lets a wait sleep in poll()
  FileDescriptor stdin_pipe_;   // our end of its stdin, if piped
  FileDescriptor stdout_pipe_;  // our end of its stdout, if piped
  std::string stdout_pending_;  // read but not yet returned by read_line
};

}  // namespace bpfproc
