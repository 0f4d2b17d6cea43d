#include "bpfproc/util/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "bpfproc/util/interruptible_wait.h"

namespace bpfproc {
namespace {

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// In the child, before anything else: a group of its own, death with the bench, default signal
// dispositions (the bench's handlers only set a flag, and SIG_IGN would survive exec).
void prepare_child(pid_t bench) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != bench) _exit(1);  // the bench died before prctl took effect
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) signal(signal_number, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

// stdin and stdout are the given pipe ends, or /dev/null.
void redirect(int stdin_fd, int stdout_fd) {
  const int in = stdin_fd >= 0 ? stdin_fd : open("/dev/null", O_RDONLY);
  const int out = stdout_fd >= 0 ? stdout_fd : open("/dev/null", O_WRONLY);
  if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0) _exit(126);
}

}  // namespace

Result<ChildProcess> ChildProcess::start(const std::function<void()>& in_child, Pipes pipes) {
  int stdin_pipe[2] = {-1, -1};
  int stdout_pipe[2] = {-1, -1};
  if ((pipes.stdin_pipe && pipe2(stdin_pipe, O_CLOEXEC) != 0) ||
      (pipes.stdout_pipe && pipe2(stdout_pipe, O_CLOEXEC) != 0)) {
    const int saved_errno = errno;
    for (int fd : {stdin_pipe[0], stdin_pipe[1], stdout_pipe[0], stdout_pipe[1]})
      if (fd >= 0) close(fd);
    return Error{"cannot create a pipe", "child process", saved_errno};
  }
  const pid_t bench = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prepare_child(bench);
    redirect(stdin_pipe[0], stdout_pipe[1]);
    in_child();
    _exit(127);
  }
  const int fork_errno = errno;
  close_fd(stdin_pipe[0]);
  close_fd(stdout_pipe[1]);
  ChildProcess child;
  child.stdin_fd_ = stdin_pipe[1];
  child.stdout_fd_ = stdout_pipe[0];
  if (pid < 0) return Error{"cannot fork", "child process", fork_errno};
  setpgid(pid, pid);  // also here, so the group exists before the parent signals it
  child.pid_ = pid;
  // Not reaped yet, so the pid still names this child.
  child.pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (child.pidfd_ < 0) return Error{"cannot open a pidfd", "child process", errno};  // the destructor kills it
  return child;
}

Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv, Pipes pipes) {
  if (argv.empty()) return Error{"nothing to run", "child process"};
  // exec reports its failure through this pipe; it closes (empty) when exec succeeds.
  int exec_error[2];
  if (pipe2(exec_error, O_CLOEXEC) != 0) return Error{"cannot create a pipe", argv[0], errno};
  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);

  auto child = start(
      [&] {
        execv(arguments[0], arguments.data());
        const int exec_errno = errno;
        if (write(exec_error[1], &exec_errno, sizeof(exec_errno)) < 0) _exit(127);
      },
      pipes);
  close(exec_error[1]);
  if (!child) {
    close(exec_error[0]);
    return child.error();
  }
  int exec_errno = 0;
  ssize_t count;
  do {
    count = read(exec_error[0], &exec_errno, sizeof(exec_errno));
  } while (count < 0 && errno == EINTR);
  close(exec_error[0]);
  if (count == static_cast<ssize_t>(sizeof(exec_errno))) return Error{"cannot run", argv[0], exec_errno};
  return child;
}

Result<ChildProcess> ChildProcess::fork_function(const std::function<int()>& body) {
  return start([&] { _exit(body()); }, Pipes{});
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    stop();
    close_descriptors();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
    stdin_fd_ = std::exchange(other.stdin_fd_, -1);
    stdout_fd_ = std::exchange(other.stdout_fd_, -1);
    stdout_pending_ = std::move(other.stdout_pending_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  stop();
  close_descriptors();
}

void ChildProcess::close_descriptors() {
  close_fd(pidfd_);
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
}

void ChildProcess::close_stdin() { close_fd(stdin_fd_); }

Result<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  const Deadline deadline = deadline_in(timeout);
  for (;;) {
    if (const auto newline = stdout_pending_.find('\n'); newline != std::string::npos) {
      std::string line = stdout_pending_.substr(0, newline);
      stdout_pending_.erase(0, newline + 1);
      return line;
    }
    if (stdout_fd_ < 0) return Error{"no output pipe", "pid " + std::to_string(pid_)};
    switch (wait_for(stdout_fd_, POLLIN, deadline)) {
      case Readiness::stopped: return Error{"interrupted", "pid " + std::to_string(pid_)};
      case Readiness::timed_out: return Error{"no output in time", "pid " + std::to_string(pid_)};
      case Readiness::ready: break;
    }
    char chunk[256];  // its lines are short ("ready 10000")
    const ssize_t count = read(stdout_fd_, chunk, sizeof(chunk));
    if (count == 0) return Error{"output ended", "pid " + std::to_string(pid_)};
    if (count < 0) {
      if (errno == EINTR) continue;
      return Error{"cannot read output", "pid " + std::to_string(pid_), errno};
    }
    stdout_pending_.append(chunk, static_cast<std::size_t>(count));
  }
}

bool ChildProcess::running() const {
  if (pid_ < 0) return false;
  return wait_for(pidfd_, POLLIN, deadline_in(std::chrono::milliseconds(0)), /*ignore_stop=*/true) !=
         Readiness::ready;
}

Result<ChildExit> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ < 0) return Error{"already reaped", "child process"};
  switch (wait_for(pidfd_, POLLIN, deadline_in(timeout))) {
    case Readiness::stopped: return Error{"interrupted", "pid " + std::to_string(pid_)};
    case Readiness::timed_out: return Error{"did not exit in time", "pid " + std::to_string(pid_)};
    case Readiness::ready: break;
  }
  ChildExit exit;
  while (wait4(pid_, &exit.status, 0, &exit.usage) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  close_fd(pidfd_);
  return exit;
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ < 0) return;
  close_stdin();  // swarm also stops at the end of its stdin
  killpg(pid_, SIGTERM);
  wait_for(pidfd_, POLLIN, deadline_in(grace), /*ignore_stop=*/true);
  // The leader is not reaped yet, so its group id cannot have been reused: this reaches only what
  // the child started and left behind.
  killpg(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  close_fd(pidfd_);
}

}  // namespace bpfproc
