#pragma once
// A pipe whose two ends close themselves. Both ends are close-on-exec: a child that needs one
// dup2()s it onto stdin or stdout, which clears the flag.
#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct Pipe {
  FileDescriptor read_end;
  FileDescriptor write_end;

  // pipe2(O_CLOEXEC); the error carries errno, with `object` naming what the pipe is for.
  static Result<Pipe> open(const std::string& object);
};

}  // namespace bpfproc
