#include "bpfproc/grouping/identity_pool.h"

#include <algorithm>
#include <functional>
#include <string_view>

namespace bpfproc {
namespace {

std::size_t program_hash(const ProcessIdentity& identity) {
  std::size_t hash = std::hash<std::string_view>()(identity.comm);
  const auto mix = [&hash](std::size_t value) { hash ^= value + 0x9E3779B97F4A7C15ull + (hash << 6) + (hash >> 2); };
  mix(std::hash<std::string_view>()(identity.exe_path));
  for (const std::string& argument : identity.argv) mix(std::hash<std::string_view>()(argument));
  mix(identity.argv.size());
  mix(identity.uid);
  mix(identity.kernel_thread);
  mix(std::hash<std::string_view>()(identity.cwd));
  for (const std::string& cgroup : identity.cgroups) mix(std::hash<std::string_view>()(cgroup));
  mix(std::hash<std::string_view>()(identity.cgroup.path));  // the other fields follow from it (mostly)
  return hash;
}

}  // namespace

bool IdentityPool::same_program(const ProcessIdentity& a, const ProcessIdentity& b) {
  return a.comm == b.comm && a.exe_path == b.exe_path && a.argv == b.argv && a.uid == b.uid &&
         a.kernel_thread == b.kernel_thread && a.cwd == b.cwd && a.cgroups == b.cgroups &&
         a.cgroup == b.cgroup;
}

IdentityPool::Shared IdentityPool::intern(ProcessIdentity identity) {
  const std::size_t hash = program_hash(identity);
  auto [first, last] = by_hash_.equal_range(hash);
  for (auto entry = first; entry != last; ++entry) {
    if (Shared pooled = entry->second.lock(); pooled && same_program(*pooled, identity)) return pooled;
  }
  // Not make_shared: its one block would outlive the identity for as long as the weak entry does.
  Shared pooled(new ProcessIdentity(std::move(identity)));
  by_hash_.emplace(hash, pooled);
  if (by_hash_.size() >= sweep_at_) {
    std::erase_if(by_hash_, [](const auto& entry) { return entry.second.expired(); });
    sweep_at_ = std::max<std::size_t>(1024, by_hash_.size() * 2);
  }
  return pooled;
}

}  // namespace bpfproc
