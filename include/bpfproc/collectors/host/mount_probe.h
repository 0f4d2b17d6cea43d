#pragma once
// statfs(2) of a mount point with a timeout, for host.filesystem. A hard-mounted NFS share whose
// server is gone makes statfs sleep uninterruptibly, for as long as the server stays away: the
// collection must not wait for it. The call runs on a worker thread; when it outlasts the timeout,
// the worker is left behind with it, the mount point is "stuck" and is not probed again until that
// call returns (one hung thread per hung mount, never one per collection), as node_exporter does.
#include <sys/vfs.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace bpfproc {

class MountProbe {
 public:
  // statfs(2) by default; tests give one that blocks. Returns 0 or an errno.
  using Statfs = std::function<int(const std::string& path, struct statfs& stats)>;
  static int system_statfs(const std::string& path, struct statfs& stats);

  explicit MountProbe(std::chrono::milliseconds timeout, Statfs statfs = system_statfs);
  ~MountProbe();
  MountProbe(const MountProbe&) = delete;
  MountProbe& operator=(const MountProbe&) = delete;

  struct Outcome {
    enum class Kind {
      kMeasured,  // stats hold the filesystem's figures
      kFailed,    // statfs returned `error`
      kTimedOut,  // this call outlasted the timeout; the mount point is now stuck
      kStuck,     // an earlier call is still hanging; not probed
    } kind;
    struct statfs stats {};
    int error = 0;
  };
  Outcome probe(const std::string& path);
  // Mount points whose statfs is still hanging.
  std::size_t stuck() const;

 private:
  struct Worker;
  struct StuckPaths;
  // The worker thread's loop.
  static void serve(const std::shared_ptr<Worker>& worker, const Statfs& statfs,
                    const std::shared_ptr<StuckPaths>& stuck);
  std::chrono::milliseconds timeout_;
  Statfs statfs_;
  std::shared_ptr<StuckPaths> stuck_;
  std::shared_ptr<Worker> worker_;  // null until the first probe and after a worker is left behind
};

}  // namespace bpfproc
