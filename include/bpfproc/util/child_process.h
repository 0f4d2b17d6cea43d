#pragma once
// A process that `bpfproc bench` starts (the daemon, swarm, churn, or one side of the ping-pong),
// or a command of a custom metric source (collectors/sources/command_source.cpp).
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
    bool stdout_pipe = false;  // otherwise stdout is /dev/null
    bool stderr_null = false;  // otherwise stderr is the parent's own
  };
  // Runs argv[0] (a path) with argv. `before_exec`, when given, runs in the child just before the
  // exec (fork-safe calls only: it switches user) and returns 0 or an errno that fails the spawn.
  // Fails with errno when the program cannot be executed.
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv, Pipes pipes,
                                    const std::function<int()>& before_exec = {});
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
  struct Output {
    std::string text;
    bool truncated = false;  // it wrote more than the limit; the rest was not read
  };
  // All of its stdout up to `limit` bytes, until end of file. Fails on timeout (or a stop signal).
  Result<Output> read_output(std::size_t limit, std::chrono::milliseconds timeout);
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
