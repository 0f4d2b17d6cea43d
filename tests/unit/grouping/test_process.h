#pragma once
// A process identity as the grouping tests build them: comm, executable and argv.
#include <string>
#include <utility>
#include <vector>

#include "bpfproc/procfs/process_identity.h"

namespace bpfproc::test_support {

inline ProcessIdentity process(std::string comm, std::string exe_path, std::vector<std::string> argv) {
  ProcessIdentity identity;
  identity.pid = 100;
  identity.comm = std::move(comm);
  identity.exe_path = std::move(exe_path);
  identity.argv = std::move(argv);
  return identity;
}

}  // namespace bpfproc::test_support
