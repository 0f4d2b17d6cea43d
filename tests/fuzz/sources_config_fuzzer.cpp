// Fuzzes the sources: section of the config file (parse_sources): YAML written by operators, with
// RE2 patterns, JSON Pointers and XPaths checked at load. Every error must be one
// "<source>:<line>: <reason>" line (exit 2 at start-up), never an escaping exception; a section
// that loads must give sources whose intervals are not below the collection interval.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "bpfproc/collectors/sources/source_config.h"
#include "fuzz_text.h"

namespace {

constexpr const char* kSource = "fuzz.yml";
constexpr std::size_t kMaxInput = 4096;  // as the grouping config's fuzzer: larger only slows it

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto sources = bpfproc::parse_sources(text, kSource, std::chrono::seconds(5));
  if (!sources) {
    if (!bpfproc::fuzz::names_source_and_line(sources.error().message(), kSource)) __builtin_trap();
    return 0;
  }
  for (const bpfproc::SourceDefinition& source : sources->sources)
    if (source.interval < std::chrono::seconds(5)) __builtin_trap();
  return 0;
}
