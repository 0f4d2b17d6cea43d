// Fuzzes the web-config loader (parse_web_config): the exporter-toolkit YAML of
// --web.config.file. Every error must be one "<source>:<line>: <reason>" line (exit 2 at
// start-up), never an escaping yaml-cpp exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bpfproc/web/web_config.h"
#include "fuzz_text.h"

namespace {

constexpr const char* kSource = "web.yml";
constexpr std::size_t kMaxInput = 4096;  // as the config target: larger is not a web config

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return -1;
  auto config = bpfproc::parse_web_config(std::string_view(reinterpret_cast<const char*>(data), size), kSource);
  if (!config && !bpfproc::fuzz::names_source_and_line(config.error().message(), kSource)) __builtin_trap();
  return 0;
}
