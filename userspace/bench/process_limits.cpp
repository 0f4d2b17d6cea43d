#include "bpfproc/bench/process_limits.h"

#include <sys/resource.h>

#include <charconv>
#include <fstream>

#include <spdlog/spdlog.h>

#include "bpfproc/procfs/procfs.h"

namespace bpfproc {
namespace {

// Room kept for everything else that starts during the run: the daemon's threads, the
// ping-pong, other users of the host.
constexpr std::uint64_t kProcessHeadroom = 100;
// The largest pid_max a 64-bit kernel accepts (PID_MAX_LIMIT, 4 Mi).
constexpr std::uint64_t kPidMaxLimit = 4'194'304;
// Raised limits get a margin on top of what is needed, so that other work on a shared host
// keeps some room while the swarm runs.
constexpr std::uint64_t kRaiseMargin = 4096;

std::uint64_t read_number(const ProcFs& procfs, const char* path) {
  auto text = procfs.read(path);
  std::uint64_t value = 0;
  if (text) std::from_chars(text->data(), text->data() + text->size(), value);
  return value;
}

Status write_number(const std::string& path, std::uint64_t value) {
  std::ofstream file(path);
  file << value << '\n';
  file.flush();
  if (!file) return Error{"cannot write " + std::to_string(value) + " (root is needed)", path, errno};
  return Ok{};
}

Status check_user_limit(std::uint64_t needed, std::uint64_t extra) {
  rlimit processes{};
  getrlimit(RLIMIT_NPROC, &processes);
  if (processes.rlim_cur != RLIM_INFINITY && needed > processes.rlim_cur)
    return Error{std::to_string(needed) + " processes are needed for --processes " + std::to_string(extra) +
                     "; raise it with ulimit -u " + std::to_string(needed),
                 "ulimit -u is " + std::to_string(processes.rlim_cur)};
  return Ok{};
}

}  // namespace

std::uint64_t processes_needed(std::uint64_t extra) {
  return ProcFs("/proc").pids().size() + extra + kProcessHeadroom;
}

Status check_process_limits(std::uint64_t extra) {
  const ProcFs procfs("/proc");
  const std::uint64_t needed = processes_needed(extra);
  const std::uint64_t pid_max = read_number(procfs, "sys/kernel/pid_max");
  const std::uint64_t threads_max = read_number(procfs, "sys/kernel/threads-max");
  const std::string what = std::to_string(needed) + " processes are needed for --processes " + std::to_string(extra);
  if (pid_max != 0 && needed > pid_max) return Error{what, "kernel.pid_max is " + std::to_string(pid_max)};
  if (threads_max != 0 && needed > threads_max)
    return Error{what, "kernel.threads-max is " + std::to_string(threads_max)};
  return check_user_limit(needed, extra);
}

Result<RaisedProcessLimits> RaisedProcessLimits::raise_for(std::uint64_t extra) {
  const ProcFs procfs("/proc");
  const std::uint64_t needed = processes_needed(extra);
  if (auto user_limit = check_user_limit(needed, extra); !user_limit) return user_limit.error();
  RaisedProcessLimits limits;
  for (const char* name : {"sys/kernel/pid_max", "sys/kernel/threads-max"}) {
    const std::uint64_t current = read_number(procfs, name);
    if (current == 0 || current >= needed) continue;
    // pid_max bounds pid values, not their number: pids are handed out cyclically, so the value
    // must exceed the count with room to spare.
    const std::uint64_t raised = std::min(needed + kRaiseMargin, kPidMaxLimit);
    const std::string path = procfs.root() + "/" + name;
    if (auto written = write_number(path, raised); !written)
      return Error{written.error().what + "; " + std::to_string(needed) + " processes are needed for --processes " +
                       std::to_string(extra),
                   path, written.error().errno_value};
    spdlog::info("bench: raised {} from {} to {} for the run", path, current, raised);
    limits.raised_.push_back({path, current});
  }
  return limits;
}

RaisedProcessLimits::~RaisedProcessLimits() {
  for (auto raised = raised_.rbegin(); raised != raised_.rend(); ++raised) {
    if (auto restored = write_number(raised->path, raised->previous); !restored)
      spdlog::error("bench: could not restore {}: {}", raised->path, restored.error().message());
    else
      spdlog::info("bench: restored {} to {}", raised->path, raised->previous);
  }
}

}  // namespace bpfproc
