#include "bpfproc/procfs/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <utility>

#include "bpfproc/procfs/proc_fields.h"
#include "bpfproc/util/whole_file.h"

namespace bpfproc {

namespace {

// A pid is an entry name made only of digits; "self", "net", "sys" and the rest are not.
bool parse_pid(std::string_view name, int& pid) {
  if (name.empty() || name.front() < '0' || name.front() > '9') return false;  // from_chars takes "-1"
  return parse_whole_number(name, pid);
}

}  // namespace

ProcFs::ProcFs(std::string root) : root_(std::move(root)) {}

Result<std::string> ProcFs::read(std::string_view relative_path) const {
  std::string path = root_;
  path += '/';
  path += relative_path;
  return read_whole_file(path);
}

bool ProcFs::shows_reader() const {
  char target[32];
  const ssize_t length = ::readlink((root_ + "/self").c_str(), target, sizeof target);
  int pid = 0;
  if (length <= 0 || static_cast<std::size_t>(length) >= sizeof target ||
      !parse_pid(std::string_view(target, static_cast<std::size_t>(length)), pid))
    return false;
  return ProcessDir::open(*this, pid).ok();
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
  FileDescriptor directory(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!directory) return Error{"open", path, errno};
  return ProcessDir(std::move(directory), pid, std::move(path));
}

Result<std::string> ProcessDir::read(const char* name) const {
  return read_whole_file_at(directory_.get(), name, path_ + '/' + name);
}

Result<std::string> ProcessDir::read_link(const char* name) const {
  // PATH_MAX bounds what the kernel returns for a /proc link; one more byte detects truncation.
  char target[PATH_MAX + 1];
  ssize_t length = ::readlinkat(directory_.get(), name, target, sizeof target);
  if (length < 0) return Error{"readlink", path_ + '/' + name, errno};
  if (static_cast<std::size_t>(length) == sizeof target) {
    return Error{"readlink", path_ + '/' + name, ENAMETOOLONG};
  }
  return std::string(target, static_cast<std::size_t>(length));
}

}  // namespace bpfproc
