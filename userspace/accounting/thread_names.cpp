#include "bpfproc/accounting/thread_names.h"

namespace bpfproc {

std::uint32_t ThreadNames::intern(std::string_view name) {
  std::string key(name);
  if (auto found = ids_.find(key); found != ids_.end()) return found->second;
  if (names_.size() + 1 >= kMaxNames) key = kOverflowName;  // the last id left is the overflow's
  auto [entry, added] = ids_.try_emplace(std::move(key), static_cast<std::uint32_t>(names_.size()));
  if (added) names_.push_back(entry->first);
  return entry->second;
}

}  // namespace bpfproc
