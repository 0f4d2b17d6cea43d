#pragma once
// Reading a whole file into a string: config files, TLS keys and certificates, and every /proc
// file. One reader, so that all of them close the file on every path, retry on EINTR and report
// errors the same way.
#include <fcntl.h>  // AT_FDCWD

#include <string>

#include "bpfproc/util/result.h"

namespace bpfproc {

// The whole content of `path`. Errors: {"open" or "read", path, errno}.
Result<std::string> read_whole_file(const std::string& path);

// The same for a file an operator names (config files): anything but a regular file is refused
// before it is opened, since a FIFO would block and a device such as /dev/zero never end.
// Errors: {"open", path, errno}, EISDIR for a directory, or {"not a regular file", path}.
Result<std::string> read_regular_file(const std::string& path);

// The same for `name` relative to the directory open as `directory` (AT_FDCWD: the working
// directory), e.g. "stat" in an open /proc/PID. Errors name `display_path`.
Result<std::string> read_whole_file_at(int directory, const char* name, const std::string& display_path);

}  // namespace bpfproc
