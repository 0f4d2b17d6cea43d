#include "bpfproc/util/whole_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "bpfproc/util/file_descriptor.h"

namespace bpfproc {

Result<std::string> read_whole_file_at(int directory, const char* name, const std::string& display_path) {
  const FileDescriptor file(::openat(directory, name, O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!file) return Error{"open", display_path, errno};

  // /proc files report st_size 0, so read until EOF. 4096 bytes holds a whole stat, status or
  // smaps_rollup in one read(); larger files (limits of a big cmdline, a config) take more rounds.
  std::string content;
  char chunk[4096];
  for (;;) {
    const ssize_t count = ::read(file.get(), chunk, sizeof chunk);
    if (count < 0) {
      if (errno == EINTR) continue;
      return Error{"read", display_path, errno};
    }
    if (count == 0) break;
    content.append(chunk, static_cast<std::size_t>(count));
  }
  return content;
}

Result<std::string> read_regular_file(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return Error{"open", path, errno};
  if (S_ISDIR(status.st_mode)) return Error{"read", path, EISDIR};
  if (!S_ISREG(status.st_mode)) return Error{"not a regular file", path};
  return read_whole_file(path);
}

Result<std::string> read_whole_file(const std::string& path) {
  return read_whole_file_at(AT_FDCWD, path.c_str(), path);
}

}  // namespace bpfproc
