#include "bpfproc/util/exit_status.h"

#include <cstdio>

namespace bpfproc {

int fail(int code, std::string_view message) {
  std::fprintf(stderr, "bpfproc: %.*s\n", static_cast<int>(message.size()), message.data());
  return code;
}

}  // namespace bpfproc
