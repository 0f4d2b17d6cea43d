// Fuzzes the Prometheus text import of custom metric sources (import_prometheus_text, on
// util/prometheus_text's parser): another program's exposition, whatever it writes. Every sample
// kept must belong to its family (the family's name, then a suffix of its type), and every
// sample line is either kept or counted as malformed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bpfproc/collectors/sources/content.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t malformed = 0;
  const auto families = bpfproc::import_prometheus_text(text, "p_", malformed);
  std::size_t sample_lines = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (end > start && text[start] != '#') ++sample_lines;
    start = end + 1;
  }
  std::size_t kept = 0;
  for (const bpfproc::HostFamily& family : families) {
    if (family.name.rfind("p_", 0) != 0 || family.samples.empty()) __builtin_trap();
    for (const bpfproc::HostSample& sample : family.samples) {
      const std::string_view suffix = sample.suffix;
      if (!suffix.empty() && suffix != "_bucket" && suffix != "_sum" && suffix != "_count" && suffix != "_total")
        __builtin_trap();
      ++kept;
    }
  }
  if (kept + malformed != sample_lines) __builtin_trap();
  return 0;
}
