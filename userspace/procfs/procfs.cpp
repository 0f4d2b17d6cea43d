#include "bpfproc/procfs/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <utility>

namespace bpfproc {

namespace {

// Closes a file descriptor on every return path.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() { ::close(fd_); }

 private:
  int fd_;
};

// A pid is an entry name made only of digits; "self", "net", "sys" and the rest are not.
bool parse_pid(std::string_view name, int& pid) {
  if (name.empty() || name.front() < '0' || name.front() > '9') return false;
  const char* end = name.data() + name.size();
  auto [stop, error] = std::from_chars(name.data(), end, pid);
  return error == std::errc() && stop == end;
}

}  // namespace

Result<std::string> read_file_at(int dir_fd, const char* name, const std::string& display_path) {
  int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Error{"open", display_path, errno};
  FdCloser closer(fd);

  // /proc files report st_size 0, so read until EOF. 4096 bytes holds a whole stat, status or
  // smaps_rollup in one read(); larger files (limits of a big cmdline) just take more rounds.
  std::string content;
  char chunk[4096];
  for (;;) {
    ssize_t count = ::read(fd, chunk, sizeof chunk);
    if (count < 0) {
      if (errno == EINTR) continue;
      return Error{"read", display_path, errno};
    }
    if (count == 0) break;
    content.append(chunk, static_cast<std::size_t>(count));
  }
  return content;
}

ProcFs::ProcFs(std::string root) : root_(std::move(root)) {}

Result<std::string> ProcFs::read(std::string_view relative_path) const {
  std::string path = root_;
  path += '/';
  path += relative_path;
  return read_file_at(AT_FDCWD, path.c_str(), path);
}

std::vector<int> ProcFs::pids() const {
  std::vector<int> pids;
  DIR* dir = ::opendir(root_.c_str());
  if (dir == nullptr) return pids;
  while (const dirent* entry = ::readdir(dir)) {
    int pid = 0;
    if (parse_pid(entry->d_name, pid)) pids.push_back(pid);
  }
  ::closedir(dir);
  // readdir order is the kernel's; sorted output makes callers and tests deterministic.
  std::sort(pids.begin(), pids.end());
  return pids;
}

Result<ProcessDir> ProcessDir::open(const ProcFs& procfs, int pid) {
  std::string path = procfs.root() + '/' + std::to_string(pid);
  // O_PATH: the fd only pins the directory (and so the process it belongs to); nothing is read.
  int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{"open", path, errno};
  return ProcessDir(fd, pid, std::move(path));
}

ProcessDir::ProcessDir(ProcessDir&& other) noexcept
    : dir_fd_(std::exchange(other.dir_fd_, -1)), pid_(other.pid_), path_(std::move(other.path_)) {}

ProcessDir& ProcessDir::operator=(ProcessDir&& other) noexcept {
  if (this != &other) {
    if (dir_fd_ >= 0) ::close(dir_fd_);
    dir_fd_ = std::exchange(other.dir_fd_, -1);
    pid_ = other.pid_;
    path_ = std::move(other.path_);
  }
  return *this;
}

ProcessDir::~ProcessDir() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

Result<std::string> ProcessDir::read(const char* name) const {
  return read_file_at(dir_fd_, name, path_ + '/' + name);
}

Result<std::string> ProcessDir::read_link(const char* name) const {
  // PATH_MAX bounds what the kernel returns for a /proc link; one more byte detects truncation.
  char target[PATH_MAX + 1];
  ssize_t length = ::readlinkat(dir_fd_, name, target, sizeof target);
  if (length < 0) return Error{"readlink", path_ + '/' + name, errno};
  if (static_cast<std::size_t>(length) == sizeof target) {
    return Error{"readlink", path_ + '/' + name, ENAMETOOLONG};
  }
  return std::string(target, static_cast<std::size_t>(length));
}

}  // namespace bpfproc
