#pragma once
// Access to a procfs tree. Every /proc read in bpfproc goes through here, so tests can point the
// root at tests/fixtures/proc.
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

class ProcFs {
 public:
  explicit ProcFs(std::string root = "/proc");
  const std::string& root() const { return root_; }

  // Reads ROOT/relative_path whole, e.g. read("self/stat").
  Result<std::string> read(std::string_view relative_path) const;
  // Numeric entries of ROOT, i.e. the pids of the visible processes.
  std::vector<int> pids() const;
  // Whether this is a live procfs that shows its reader: ROOT/self links to the reader's pid
  // directory, as the kernel's does in any pid namespace. A copy or a fixture tree does not, and
  // the pids the kernel reports cannot be read there.
  bool shows_reader() const;

 private:
  std::string root_;
};

// An open /proc/PID directory. Files read through it belong to the process that had PID when it
// was opened: if that process exits and the pid is reused, reads fail with ESRCH instead of
// returning the new process's data.
class ProcessDir {
 public:
  static Result<ProcessDir> open(const ProcFs& procfs, int pid);

  int pid() const { return pid_; }
  Result<std::string> read(const char* name) const;      // e.g. "smaps_rollup"
  Result<std::string> read_link(const char* name) const; // e.g. "exe"

 private:
  ProcessDir(FileDescriptor directory, int pid, std::string path)
      : directory_(std::move(directory)), pid_(pid), path_(std::move(path)) {}
  FileDescriptor directory_;  // O_PATH: pins the directory (and the process) without reading it
  int pid_ = 0;
  std::string path_;  // for error messages
};

}  // namespace bpfproc
