#include "bpfproc/grouping/user_names.h"

#include <pwd.h>

#include <vector>

namespace bpfproc {

const std::string& UserNames::lookup(std::uint32_t uid) {
  auto found = cache_.find(uid);
  if (found != cache_.end()) return found->second;

  std::string name = std::to_string(uid);
  struct passwd entry {};
  struct passwd* result = nullptr;
  std::vector<char> buffer(16384);  // far above any real passwd line
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result) == 0 && result != nullptr)
    name = result->pw_name;
  return cache_.emplace(uid, std::move(name)).first->second;
}

}  // namespace bpfproc
