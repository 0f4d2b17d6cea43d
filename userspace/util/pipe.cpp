// Pipe::open: one pipe2() call, its ends owned.
#include "bpfproc/util/pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace bpfproc {

Result<Pipe> Pipe::open(const std::string& object) {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return Error{"cannot create a pipe", object, errno};
  Pipe pipe;
  pipe.read_end.reset(ends[0]);
  pipe.write_end.reset(ends[1]);
  return pipe;
}

}  // namespace bpfproc
