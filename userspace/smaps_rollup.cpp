#include "bpfproc/smaps_rollup.h"

#include <charconv>
#include <cstddef>

namespace bpfproc {

namespace {

constexpr std::uint64_t kBytesPerKilobyte = 1024;  // the kernel's "kB" is KiB

// "              1708 kB" -> 1748992.
bool parse_kilobytes(std::string_view value, std::uint64_t& bytes) {
  std::size_t start = value.find_first_not_of(' ');
  if (start == std::string_view::npos) return false;
  value.remove_prefix(start);
  std::uint64_t kilobytes = 0;
  auto [stop, error] = std::from_chars(value.data(), value.data() + value.size(), kilobytes);
  if (error != std::errc()) return false;
  value.remove_prefix(static_cast<std::size_t>(stop - value.data()));
  if (value != " kB") return false;
  bytes = kilobytes * kBytesPerKilobyte;
  return true;
}

// Where the value of a smaps_rollup key goes; nullptr for keys bpfproc does not report.
std::uint64_t* field_for_key(std::string_view key, MemoryUsage& usage, std::uint64_t& private_clean,
                             std::uint64_t& private_dirty) {
  // Compared whole, never as prefixes: "Pss" must not match "Pss_Dirty".
  if (key == "Rss") return &usage.rss;
  if (key == "Pss") return &usage.pss;
  if (key == "Pss_Anon") return &usage.pss_anon;
  if (key == "Pss_File") return &usage.pss_file;
  if (key == "Pss_Shmem") return &usage.pss_shmem;
  if (key == "Private_Clean") return &private_clean;
  if (key == "Private_Dirty") return &private_dirty;
  if (key == "Swap") return &usage.swap;
  if (key == "SwapPss") return &usage.swap_pss;
  return nullptr;
}

Error malformed(const char* what) { return Error{what, "smaps_rollup", 0}; }

}  // namespace

MemoryUsage& MemoryUsage::operator+=(const MemoryUsage& other) {
  rss += other.rss;
  pss += other.pss;
  pss_anon += other.pss_anon;
  pss_file += other.pss_file;
  pss_shmem += other.pss_shmem;
  uss += other.uss;
  swap += other.swap;
  swap_pss += other.swap_pss;
  return *this;
}

Result<MemoryUsage> parse_smaps_rollup(std::string_view text) {
  if (text.empty()) return malformed("empty (kernel thread or exited process)");

  MemoryUsage usage;
  std::uint64_t private_clean = 0;
  std::uint64_t private_dirty = 0;
  bool have_rss = false;

  // The first line is the address-range header ("55a0...-7ffd... ---p ... [rollup]"), not a field.
  std::size_t header_end = text.find('\n');
  text.remove_prefix(header_end == std::string_view::npos ? text.size() : header_end + 1);

  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);

    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::uint64_t* field = field_for_key(line.substr(0, colon), usage, private_clean, private_dirty);
    if (field == nullptr) continue;
    if (!parse_kilobytes(line.substr(colon + 1), *field)) return malformed("bad value");
    if (field == &usage.rss) have_rss = true;
  }

  if (!have_rss) return malformed("no Rss");
  usage.uss = private_clean + private_dirty;
  return usage;
}

}  // namespace bpfproc
