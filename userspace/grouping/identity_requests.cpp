#include "bpfproc/grouping/identity_requests.h"

#include "bpfproc/grouping/user_names.h"
#include "bpfproc/util/clock.h"

namespace bpfproc {

std::optional<ProcessIdentity> read_identity(const ProcFs& procfs, const ProcessKey& key, IdentityParts parts) {
  auto dir = ProcessDir::open(procfs, static_cast<int>(key.pid));
  if (!dir) return std::nullopt;
  auto identity = read_process_identity(*dir, parts);
  if (!identity) return std::nullopt;
  // /proc has the start time in clock ticks only: compare at that resolution.
  if (nanoseconds_to_ticks(identity->start_time_ns) != nanoseconds_to_ticks(key.start_ns)) return std::nullopt;
  identity->start_time_ns = key.start_ns;
  return std::move(*identity);
}

IdentityReplies read_identities(const ProcFs& procfs, const IdentityRequests& requests) {
  IdentityReplies replies;
  replies.identities.reserve(requests.processes.size());
  for (const ProcessKey& key : requests.processes)
    replies.identities.emplace_back(key, read_identity(procfs, key, requests.parts));
  replies.user_names.reserve(requests.uids.size());
  for (std::uint32_t uid : requests.uids) replies.user_names.emplace_back(uid, user_name(uid));
  return replies;
}

}  // namespace bpfproc
