#pragma once
// What grouping needs read from outside the process table, and the reading itself: the /proc
// identities of new processes and the names of new uids. Both can be slow (a /proc read waits on
// a busy process; a user name lookup may go through NSS to LDAP), so the table only asks for
// them, and its owner reads them without holding the table's lock.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bpfproc/accounting/process_accounts.h"
#include "bpfproc/procfs/process_identity.h"
#include "bpfproc/procfs/procfs.h"

namespace bpfproc {

struct IdentityRequests {
  std::vector<ProcessKey> processes;  // live processes whose identity /proc should give
  IdentityParts parts;                // what of them beyond the basic identity (the rules' needs)
  std::vector<std::uint32_t> uids;    // uids whose user names are not known yet
  bool empty() const { return processes.empty() && uids.empty(); }
};

struct IdentityReplies {
  // One per requested process: its identity, or nullopt when /proc could not give it (it is gone,
  // or its pid now belongs to another process).
  std::vector<std::pair<ProcessKey, std::optional<ProcessIdentity>>> identities;
  std::vector<std::pair<std::uint32_t, std::string>> user_names;  // one per requested uid
};

// Reads everything `requests` asks for.
IdentityReplies read_identities(const ProcFs& procfs, const IdentityRequests& requests);

// A live process's identity from /proc, checked against the key's start time.
std::optional<ProcessIdentity> read_identity(const ProcFs& procfs, const ProcessKey& key, IdentityParts parts = {});

}  // namespace bpfproc
