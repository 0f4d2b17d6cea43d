#pragma once
// Helpers shared by the fuzz targets of tests/fuzz.
#include <cctype>
#include <string>
#include <string_view>

namespace bpfproc::fuzz {

// Whether an error message has the "<source>:<line>: <reason>" form every config error must have.
inline bool names_source_and_line(std::string_view message, std::string_view source) {
  if (message.substr(0, source.size()) != source) return false;
  message.remove_prefix(source.size());
  if (message.empty() || message.front() != ':') return false;
  message.remove_prefix(1);
  std::size_t digits = 0;
  while (digits < message.size() && std::isdigit(static_cast<unsigned char>(message[digits]))) ++digits;
  return digits > 0 && message.substr(digits, 2) == ": ";
}

}  // namespace bpfproc::fuzz
