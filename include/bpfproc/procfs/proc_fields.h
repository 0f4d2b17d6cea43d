#pragma once
// Pieces of the /proc text formats that several parsers share: whole numbers, and the
// "Key:<blanks>value" lines of /proc/PID/status and /proc/PID/smaps_rollup.
#include <charconv>
#include <cstdint>
#include <string_view>
#include <vector>

namespace bpfproc {

inline bool is_blank(char character) { return character == ' ' || character == '\t'; }

inline std::string_view skip_blanks(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size() && is_blank(text[start])) ++start;
  return text.substr(start);
}

// All of `text` is one number: nothing before or after it, not empty.
template <typename Number>
bool parse_whole_number(std::string_view text, Number& value) {
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && stop == end && !text.empty();
}

// Parses the number at the start of text (after blanks) and advances text past it.
template <typename Number>
bool take_number(std::string_view& text, Number& value) {
  text = skip_blanks(text);
  auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc()) return false;
  text.remove_prefix(static_cast<std::size_t>(stop - text.data()));
  return true;
}

// "    1708 kB" -> 1748992: the kernel's "kB" is KiB.
inline bool parse_kilobytes(std::string_view value, std::uint64_t& bytes) {
  std::uint64_t kilobytes = 0;
  if (!take_number(value, kilobytes) || skip_blanks(value) != "kB") return false;
  bytes = kilobytes * 1024;
  return true;
}

// Calls visit(key, value) for every line that has a colon; value starts right after the colon.
// Stops early, returning false, when visit returns false.
template <typename Visit>
bool for_each_field(std::string_view text, Visit visit) {
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (!visit(line.substr(0, colon), line.substr(colon + 1))) return false;
  }
  return true;
}

// Calls visit(line) for every line of text, without its newline; the last line may lack one.
template <typename Visit>
void for_each_line(std::string_view text, Visit visit) {
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    visit(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
  }
}

// The blank-separated words of a line, as the whole-system tables (/proc/diskstats,
// /proc/net/dev, /proc/PID/mounts) print their columns.
inline std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  while (true) {
    line = skip_blanks(line);
    if (line.empty()) return words;
    std::size_t end = 0;
    while (end < line.size() && !is_blank(line[end])) ++end;
    words.push_back(line.substr(0, end));
    line.remove_prefix(end);
  }
}

}  // namespace bpfproc
