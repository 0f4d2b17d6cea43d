#include "bpfproc/proc_status.h"

#include <charconv>
#include <cstddef>

namespace bpfproc {

namespace {

constexpr std::uint64_t kBytesPerKilobyte = 1024;  // the kernel's "kB" is KiB

bool is_blank(char character) { return character == ' ' || character == '\t'; }

std::string_view skip_blanks(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size() && is_blank(text[start])) ++start;
  return text.substr(start);
}

// Parses the number at the start of text (after blanks) and advances text past it.
template <typename Number>
bool take_number(std::string_view& text, Number& value) {
  text = skip_blanks(text);
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc()) return false;
  text.remove_prefix(static_cast<std::size_t>(stop - text.data()));
  return true;
}

// "    1708 kB" -> 1748992.
bool parse_kilobytes(std::string_view value, std::uint64_t& bytes) {
  std::uint64_t kilobytes = 0;
  if (!take_number(value, kilobytes) || skip_blanks(value) != "kB") return false;
  bytes = kilobytes * kBytesPerKilobyte;
  return true;
}

// "0\t0\t0\t0": real, effective, saved set, filesystem uid.
bool parse_uids(std::string_view value, std::uint32_t& real_uid, std::uint32_t& effective_uid) {
  return take_number(value, real_uid) && take_number(value, effective_uid);
}

bool parse_count(std::string_view value, std::uint64_t& count) {
  return take_number(value, count) && skip_blanks(value).empty();
}

Error malformed(const char* what) { return Error{what, "status", 0}; }

}  // namespace

Result<ProcStatus> parse_proc_status(std::string_view text) {
  ProcStatus status;
  bool have_uid = false;
  bool have_threads = false;

  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);

    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);

    if (key == "Name") {
      // Exactly one tab follows the colon; a comm may itself start with blanks.
      if (!value.empty() && value.front() == '\t') value.remove_prefix(1);
      status.name.assign(value);
    } else if (key == "Uid") {
      if (!parse_uids(value, status.real_uid, status.effective_uid)) return malformed("bad Uid");
      have_uid = true;
    } else if (key == "Threads") {
      if (!parse_count(value, status.threads)) return malformed("bad Threads");
      have_threads = true;
    } else if (key == "VmRSS") {
      if (!parse_kilobytes(value, status.vm_rss_bytes)) return malformed("bad VmRSS");
    } else if (key == "VmSize") {
      if (!parse_kilobytes(value, status.vm_size_bytes)) return malformed("bad VmSize");
    }
  }

  if (!have_uid) return malformed("no Uid");
  if (!have_threads) return malformed("no Threads");
  return status;
}

}  // namespace bpfproc
