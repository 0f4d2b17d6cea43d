#include "bpfproc/procfs/smaps_rollup.h"

#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {

namespace {

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

MemoryUsage& MemoryUsage::operator-=(const MemoryUsage& other) {
  rss -= other.rss;
  pss -= other.pss;
  pss_anon -= other.pss_anon;
  pss_file -= other.pss_file;
  pss_shmem -= other.pss_shmem;
  uss -= other.uss;
  swap -= other.swap;
  swap_pss -= other.swap_pss;
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

  const bool parsed = for_each_field(text, [&](std::string_view key, std::string_view value) {
    std::uint64_t* field = field_for_key(key, usage, private_clean, private_dirty);
    if (field == nullptr) return true;
    if (field == &usage.rss) have_rss = true;
    return parse_kilobytes(value, *field);
  });
  if (!parsed) return malformed("bad value");
  if (!have_rss) return malformed("no Rss");
  usage.uss = private_clean + private_dirty;
  return usage;
}

}  // namespace bpfproc
