#pragma once
// Thread names (comm) interned to small ids, for the per-thread-name breakdown: a thread entry
// keeps 4 bytes instead of a string. Any user can rename threads (prctl), so the table is capped:
// past kMaxNames distinct names, new ones share the id of kOverflowName.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bpfproc {

class ThreadNames {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  static constexpr std::size_t kMaxNames = 4096;
  static constexpr std::string_view kOverflowName = "(other)";

  std::uint32_t intern(std::string_view name);
  const std::string& name(std::uint32_t id) const { return names_.at(id); }
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t> ids_;
};

}  // namespace bpfproc
