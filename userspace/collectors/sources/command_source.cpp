// The `command` source type: a program run directly (execv, no shell unless the config names one),
// optionally as another user and group, with a timeout and an output limit.
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <spdlog/fmt/fmt.h>

#include "bpfproc/collectors/sources/source_reader.h"
#include "bpfproc/util/child_process.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace bpfproc {
namespace {

// In the child, before exec: only system calls (fork safety). Returns 0 or the errno that stops it.
int prepare_command(const std::optional<RunAs>& run_as) {
  // The daemon's descriptors (BPF maps, sockets) must not reach the command, whether or not
  // whoever opened them asked for close-on-exec. Best effort: kernels before 5.11 lack the flag.
  (void)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  if (!run_as) return 0;
  // Groups first: after setuid the child could no longer change them. No supplementary groups,
  // so the command has only the group asked for.
  if (setgroups(0, nullptr) != 0 || setgid(run_as->gid) != 0 || setuid(run_as->uid) != 0) return errno;
  // The switch must be complete and irreversible before anything runs as the target user.
  if (getuid() != run_as->uid || geteuid() != run_as->uid || getgid() != run_as->gid || getegid() != run_as->gid)
    return EPERM;
  if (setuid(0) == 0) return EPERM;
  // A credential change clears the parent-death signal that ChildProcess set; set it again.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  return 0;
}

std::string seconds_text(std::chrono::milliseconds duration) {
  return fmt::format("{:g} s", static_cast<double>(duration.count()) / 1000.0);
}

}  // namespace

Result<std::string> read_command_source(const SourceDefinition& source) {
  const auto start = std::chrono::steady_clock::now();
  auto child = ChildProcess::spawn(source.command, {.stdin_pipe = false, .stdout_pipe = true, .stderr_null = true},
                                   [&source] { return prepare_command(source.run_as); });
  if (!child) return child.error();
  auto output = child->read_output(source.output_limit, source.timeout);
  if (!output) {
    child->stop(std::chrono::milliseconds(0));  // the whole process group, at once
    return Error{"no complete output within the timeout (" + seconds_text(source.timeout) + "): killed", source.command.front()};
  }
  if (output->truncated) {
    child->stop(std::chrono::milliseconds(0));
    return Error{"output beyond " + std::to_string(source.output_limit) + " bytes (output_limit): killed", source.command.front()};
  }
  const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  auto exit = child->wait(std::max(std::chrono::milliseconds(0), source.timeout - spent));
  if (!exit) {
    child->stop(std::chrono::milliseconds(0));
    return Error{"did not exit within the timeout (" + seconds_text(source.timeout) + "): killed", source.command.front()};
  }
  if (WIFSIGNALED(exit->status))
    return Error{"killed by signal " + std::to_string(WTERMSIG(exit->status)), source.command.front()};
  if (WEXITSTATUS(exit->status) != 0)
    return Error{"exited with status " + std::to_string(WEXITSTATUS(exit->status)), source.command.front()};
  return std::move(output->text);
}

}  // namespace bpfproc
