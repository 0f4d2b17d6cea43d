#pragma once
// The identities of the programs a host runs, each held once. On a crowded host most processes
// run one of a few programs with the same arguments (the workers a server forked, a pool of
// identical jobs), and each of them would otherwise keep its own copy of the executable path and
// command line: some 300 bytes per process. Processes share an identity here when everything a
// grouping decision reads of it is the same, apart from the pid and start time (which are those
// of the process that brought it in).
#include <cstddef>
#include <memory>
#include <unordered_map>

#include "bpfproc/procfs/process_identity.h"

namespace bpfproc {

class IdentityPool {
 public:
  using Shared = std::shared_ptr<const ProcessIdentity>;

  // The pool's identity of the same program, or this one, now pooled.
  Shared intern(ProcessIdentity identity);
  // Programs held (some may have no process left until the next sweep).
  std::size_t size() const { return by_hash_.size(); }

  // Whether a decision could tell a and b apart: all but the pid and the start time.
  static bool same_program(const ProcessIdentity& a, const ProcessIdentity& b);

 private:
  // Weak: an identity goes when its last process does; the dead entries are swept when the pool
  // has doubled since the last sweep.
  std::unordered_multimap<std::size_t, std::weak_ptr<const ProcessIdentity>> by_hash_;
  std::size_t sweep_at_ = 1024;
};

}  // namespace bpfproc
