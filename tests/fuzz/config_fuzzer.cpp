// Fuzzes the grouping config loader (parse_config): YAML written by operators, regexes and name
// templates. Every error must be one "<source>:<line>: <reason>" line (exit 2 at start-up), never
// an escaping yaml-cpp exception; a config that loads must name a process without failing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bpfproc/grouping/config.h"
#include "fuzz_text.h"

namespace {

constexpr const char* kSource = "fuzz.yml";

// Inputs beyond this are not what operators write, and yaml-cpp's node graphs cost some 100 times
// their text in memory (under ASan, more): larger inputs only slow the fuzzer down.
constexpr std::size_t kMaxInput = 4096;

const bpfproc::ProcessIdentity& sample_identity() {
  static const bpfproc::ProcessIdentity identity = [] {
    bpfproc::ProcessIdentity sample;
    sample.pid = 4242;
    sample.comm = "python3";
    sample.exe_path = "/usr/bin/python3.11";
    sample.argv = {"python3", "-c", "worker.py", "--queue=jobs", "parity-py"};
    sample.uid = 1000;
    sample.start_time_ns = 123'456'789;
    sample.cwd = "/srv/app";
    sample.cgroups = {"/system.slice/app.service"};
    return sample;
  }();
  return identity;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return -1;  // not added to the corpus
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = bpfproc::parse_config(text, kSource);
  if (!config) {
    if (!bpfproc::fuzz::names_source_and_line(config.error().message(), kSource)) __builtin_trap();
    return 0;
  }
  for (const std::string& warning : config->warnings)
    if (!bpfproc::fuzz::names_source_and_line(warning, kSource)) __builtin_trap();
  bool threads = false;
  (void)config->group_of(sample_identity(), "user", 1'795'309'369'820'000'000, &threads);
  (void)config->identity_parts();
  (void)config->per_process_names();
  return 0;
}
