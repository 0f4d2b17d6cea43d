#pragma once
// Room for the bench's swarm of processes: kernel.pid_max and kernel.threads-max are raised for
// as long as the bench runs, when the largest --processes needs it, and restored when it ends,
// also when it ends on SIGINT or SIGTERM (the bench only records those and unwinds; see
// util/interruptible_wait.h). Only SIGKILL leaves them raised. ulimit -u is never raised: a
// limit the operator set is theirs, so the bench fails with one line instead.
#include <cstdint>
#include <string>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

// Processes the host must hold for `extra` more: those running now, `extra`, and headroom for the
// daemon's threads and the rest of the bench.
std::uint64_t processes_needed(std::uint64_t extra);

// Fails with one line when the host cannot hold `extra` more processes (kernel.pid_max,
// kernel.threads-max, RLIMIT_NPROC).
Status check_process_limits(std::uint64_t extra);

class RaisedProcessLimits {
 public:
  // Raises what is too low for `extra` more processes; changes nothing otherwise. Fails with one
  // line if ulimit -u is too low, or if a sysctl cannot be written (not root, read-only /proc/sys).
  static Result<RaisedProcessLimits> raise_for(std::uint64_t extra);
  RaisedProcessLimits(RaisedProcessLimits&& other) noexcept : raised_(std::move(other.raised_)) { other.raised_.clear(); }
  RaisedProcessLimits& operator=(RaisedProcessLimits&&) = delete;
  RaisedProcessLimits(const RaisedProcessLimits&) = delete;
  ~RaisedProcessLimits();

 private:
  RaisedProcessLimits() = default;
  struct Raised {
    std::string path;  // under /proc/sys
    std::uint64_t previous;
  };
  std::vector<Raised> raised_;
};

}  // namespace bpfproc
