// FileDescriptor's close, kept out of the header so that includers do not get <unistd.h>.
#include "bpfproc/util/file_descriptor.h"

#include <unistd.h>

namespace bpfproc {

void FileDescriptor::reset(int descriptor) noexcept {
  const int previous = std::exchange(descriptor_, descriptor < 0 ? -1 : descriptor);
  // close() is not retried on EINTR: on Linux the descriptor is released even then, and a retry
  // could close one that another thread has just been given.
  if (previous >= 0 && previous != descriptor_) ::close(previous);
}

}  // namespace bpfproc
