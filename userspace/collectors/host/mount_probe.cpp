// statfs with a timeout; see mount_probe.h for why a hung call is left to its own thread.
#include "bpfproc/collectors/host/mount_probe.h"

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

namespace bpfproc {

struct MountProbe::StuckPaths {
  mutable std::mutex mutex;
  std::set<std::string> paths;
};

// One request at a time. The worker thread shares this state (never the MountProbe), so a thread
// left behind in a hung call may return after the probe itself is gone.
struct MountProbe::Worker {
  std::mutex mutex;
  std::condition_variable requested;
  std::condition_variable answered;
  std::string path;
  bool pending = false;     // a request waits for the worker
  bool has_answer = false;  // its answer is in stats/error
  bool left = false;        // no one waits any more: exit after the current call
  struct statfs stats {};
  int error = 0;
};

void MountProbe::serve(const std::shared_ptr<Worker>& worker, const Statfs& statfs,
                       const std::shared_ptr<StuckPaths>& stuck) {
  std::unique_lock lock(worker->mutex);
  for (;;) {
    worker->requested.wait(lock, [&] { return worker->pending || worker->left; });
    if (!worker->pending) return;  // the probe is gone
    const std::string path = worker->path;
    lock.unlock();
    struct statfs stats {};
    const int error = statfs(path, stats);
    lock.lock();
    worker->pending = false;
    if (worker->left) {
      // It had timed out: the mount point may be probed again.
      {
        std::lock_guard stuck_lock(stuck->mutex);
        stuck->paths.erase(path);
      }
      spdlog::info("collector host.filesystem: statfs {} returned at last; probing it again", path);
      return;
    }
    worker->stats = stats;
    worker->error = error;
    worker->has_answer = true;
    worker->answered.notify_one();
  }
}

int MountProbe::system_statfs(const std::string& path, struct statfs& stats) {
  return ::statfs(path.c_str(), &stats) == 0 ? 0 : errno;
}

MountProbe::MountProbe(std::chrono::milliseconds timeout, Statfs statfs)
    : timeout_(timeout), statfs_(std::move(statfs)), stuck_(std::make_shared<StuckPaths>()) {}

MountProbe::~MountProbe() {
  if (!worker_) return;
  std::lock_guard lock(worker_->mutex);
  worker_->left = true;
  worker_->requested.notify_one();
}

MountProbe::Outcome MountProbe::probe(const std::string& path) {
  {
    std::lock_guard lock(stuck_->mutex);
    if (stuck_->paths.count(path) != 0) return {Outcome::Kind::kStuck};
  }
  if (!worker_) {
    worker_ = std::make_shared<Worker>();
    // Detached: a thread in a hung statfs cannot be joined, nor killed.
    std::thread(serve, worker_, statfs_, stuck_).detach();
  }
  std::unique_lock lock(worker_->mutex);
  worker_->path = path;
  worker_->pending = true;
  worker_->has_answer = false;
  worker_->requested.notify_one();
  if (!worker_->answered.wait_for(lock, timeout_, [&] { return worker_->has_answer; })) {
    {
      // Marked before the worker can return (it needs worker_->mutex, held here).
      std::lock_guard stuck_lock(stuck_->mutex);
      stuck_->paths.insert(path);
    }
    worker_->left = true;
    lock.unlock();
    worker_.reset();
    spdlog::warn("collector host.filesystem: statfs {} did not return within {} ms; not probing it until it does",
                 path, timeout_.count());
    return {Outcome::Kind::kTimedOut};
  }
  Outcome outcome{worker_->error == 0 ? Outcome::Kind::kMeasured : Outcome::Kind::kFailed};
  outcome.stats = worker_->stats;
  outcome.error = worker_->error;
  return outcome;
}

std::size_t MountProbe::stuck() const {
  std::lock_guard lock(stuck_->mutex);
  return stuck_->paths.size();
}

}  // namespace bpfproc
