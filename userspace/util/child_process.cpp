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
#include "bpfproc/util/pipe.h"

namespace bpfproc {
namespace {

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

// stdin and stdout are the given pipe ends, or /dev/null; stderr too when asked.
void redirect(int stdin_fd, int stdout_fd, bool stderr_null) {
  const int in = stdin_fd >= 0 ? stdin_fd : open("/dev/null", O_RDONLY);
  const int out = stdout_fd >= 0 ? stdout_fd : open("/dev/null", O_WRONLY);
  if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0) _exit(126);
  if (!stderr_null) return;
  const int error = open("/dev/null", O_WRONLY);
  if (error < 0 || dup2(error, STDERR_FILENO) < 0) _exit(126);
}

}  // namespace

Result<ChildProcess> ChildProcess::start(const std::function<void()>& in_child, Pipes pipes) {
  Pipe stdin_pipe, stdout_pipe;  // without ends unless asked for: the child gets /dev/null
  for (auto [wanted, pipe] : {std::pair{pipes.stdin_pipe, &stdin_pipe}, std::pair{pipes.stdout_pipe, &stdout_pipe}}) {
    if (!wanted) continue;
    auto opened = Pipe::open("child process");
    if (!opened) return opened.error();
    *pipe = std::move(*opened);
  }
  const pid_t bench = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prepare_child(bench);
    redirect(stdin_pipe.read_end.get(), stdout_pipe.write_end.get(), pipes.stderr_null);
    in_child();
    _exit(127);
  }
  const int fork_errno = errno;
  ChildProcess child;  // our copies of the child's ends close with the pipes on return
  child.stdin_pipe_ = std::move(stdin_pipe.write_end);
  child.stdout_pipe_ = std::move(stdout_pipe.read_end);
  if (pid < 0) return Error{"cannot fork", "child process", fork_errno};
  setpgid(pid, pid);  // also here, so the group exists before the parent signals it
  child.pid_ = pid;
  // Not reaped yet, so the pid still names this child.
  child.pidfd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!child.pidfd_) return Error{"cannot open a pidfd", "child process", errno};  // the destructor kills it
  return child;
}

Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv, Pipes pipes,
                                         const std::function<int()>& before_exec) {
  if (argv.empty()) return Error{"nothing to run", "child process"};
  // exec reports its failure through this pipe; it closes (empty) when exec succeeds.
  auto exec_error = Pipe::open(argv[0]);
  if (!exec_error) return exec_error.error();
  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);

  auto child = start(
      [&] {
        int exec_errno = before_exec ? before_exec() : 0;
        if (exec_errno == 0) {
          execv(arguments[0], arguments.data());
          exec_errno = errno;
        }
        if (write(exec_error->write_end.get(), &exec_errno, sizeof(exec_errno)) < 0) _exit(127);
      },
      pipes);
  exec_error->write_end.reset();
  if (!child) return child.error();
  int exec_errno = 0;
  ssize_t count;
  do {
    count = read(exec_error->read_end.get(), &exec_errno, sizeof(exec_errno));
  } while (count < 0 && errno == EINTR);
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
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    stdin_pipe_ = std::move(other.stdin_pipe_);
    stdout_pipe_ = std::move(other.stdout_pipe_);
    stdout_pending_ = std::move(other.stdout_pending_);
  }
  return *this;
}

ChildProcess::~ChildProcess() { stop(); }  // the descriptors close themselves after

void ChildProcess::close_stdin() { stdin_pipe_.reset(); }

Result<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  const Deadline deadline = deadline_in(timeout);
  for (;;) {
    if (const auto newline = stdout_pending_.find('\n'); newline != std::string::npos) {
      std::string line = stdout_pending_.substr(0, newline);
      stdout_pending_.erase(0, newline + 1);
      return line;
    }
    if (!stdout_pipe_) return Error{"no output pipe", "pid " + std::to_string(pid_)};
    switch (wait_for(stdout_pipe_.get(), POLLIN, deadline)) {
      case Readiness::stopped: return Error{"interrupted", "pid " + std::to_string(pid_)};
      case Readiness::timed_out: return Error{"no output in time", "pid " + std::to_string(pid_)};
      case Readiness::ready: break;
    }
    char chunk[256];  // its lines are short ("ready 10000")
    const ssize_t count = read(stdout_pipe_.get(), chunk, sizeof(chunk));
    if (count == 0) return Error{"output ended", "pid " + std::to_string(pid_)};
    if (count < 0) {
      if (errno == EINTR) continue;
      return Error{"cannot read output", "pid " + std::to_string(pid_), errno};
    }
    stdout_pending_.append(chunk, static_cast<std::size_t>(count));
  }
}

Result<ChildProcess::Output> ChildProcess::read_output(std::size_t limit, std::chrono::milliseconds timeout) {
  const Deadline deadline = deadline_in(timeout);
  Output output;
  output.text = std::move(stdout_pending_);
  stdout_pending_.clear();
  if (!stdout_pipe_) return Error{"no output pipe", "pid " + std::to_string(pid_)};
  while (output.text.size() <= limit) {
    switch (wait_for(stdout_pipe_.get(), POLLIN, deadline)) {
      case Readiness::stopped: return Error{"interrupted", "pid " + std::to_string(pid_)};
      case Readiness::timed_out: return Error{"no end of output in time", "pid " + std::to_string(pid_)};
      case Readiness::ready: break;
    }
    char chunk[16384];
    const ssize_t count = read(stdout_pipe_.get(), chunk, sizeof(chunk));
    if (count == 0) return output;
    if (count < 0) {
      if (errno == EINTR) continue;
      return Error{"cannot read output", "pid " + std::to_string(pid_), errno};
    }
    output.text.append(chunk, static_cast<std::size_t>(count));
  }
  output.text.resize(limit);
  output.truncated = true;
  return output;
}

bool ChildProcess::running() const {
  if (pid_ < 0) return false;
  return wait_for(pidfd_.get(), POLLIN, deadline_in(std::chrono::milliseconds(0)), /*ignore_stop=*/true) !=
         Readiness::ready;
}

Result<ChildExit> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ < 0) return Error{"already reaped", "child process"};
  switch (wait_for(pidfd_.get(), POLLIN, deadline_in(timeout))) {
    case Readiness::stopped: return Error{"interrupted", "pid " + std::to_string(pid_)};
    case Readiness::timed_out: return Error{"did not exit in time", "pid " + std::to_string(pid_)};
    case Readiness::ready: break;
  }
  ChildExit exit;
  while (wait4(pid_, &exit.status, 0, &exit.usage) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  pidfd_.reset();
  return exit;
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ < 0) return;
  close_stdin();  // swarm also stops at the end of its stdin
  killpg(pid_, SIGTERM);
  wait_for(pidfd_.get(), POLLIN, deadline_in(grace), /*ignore_stop=*/true);
  // The leader is not reaped yet, so its group id cannot have been reused: this reaches only what
  // the child started and left behind.
  killpg(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  pidfd_.reset();
}

}  // namespace bpfproc
