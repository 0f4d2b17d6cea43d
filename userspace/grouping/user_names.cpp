#include "bpfproc/grouping/user_names.h"

#include <pwd.h>

#include <vector>

namespace bpfproc {

std::string user_name(std::uint32_t uid) {
  struct passwd entry {};
  struct passwd* result = nullptr;
  std::vector<char> buffer(16384);  // far above any real passwd line
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result) == 0 && result != nullptr) return result->pw_name;
  return std::to_string(uid);
}

}  // namespace bpfproc
