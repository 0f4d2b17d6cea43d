#pragma once
// uid -> user name, cached: {{.Username}} is rendered for every new process.
#include <cstdint>
#include <string>
#include <unordered_map>

namespace bpfproc {

class UserNames {
 public:
  // The name from the password database, or the uid in decimal when it has none.
  const std::string& lookup(std::uint32_t uid);

 private:
  std::unordered_map<std::uint32_t, std::string> cache_;
};

}  // namespace bpfproc
