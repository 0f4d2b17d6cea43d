#include "bpfproc/app/migration_hints.h"

#include <array>
#include <utility>

namespace bpfproc {
namespace {

// The flags of process-exporter 0.7.10 (its -h), without their dashes, and where each setting is
// in bpfproc. Those marked bpfproc's own are bpfproc flags too when given with two dashes.
struct Hint {
  std::string_view flag;
  std::string_view hint;
  bool bpfproc_own_with_two_dashes = false;
};
constexpr std::array<Hint, 14> kHints{{
    {"config.path", "use --config.file (the same process_names format)"},
    {"procnames", "list the names in a config file's process_names and use --config.file"},
    {"namemapping", "use a config file's process_names rules with --config.file"},
    {"children", "set children: true or false in the config file (default true)"},
    {"threads", "use --threads (two dashes; off by default: a series or more per thread name)", true},
    {"gather-smaps", "memory from smaps_rollup is on by default (--no-collector.memory turns it off)"},
    {"recheck", "not needed: bpfproc decides a process's group again at every exec"},
    {"procfs", "use --path.procfs"},
    {"debug", "use --log.level debug"},
    {"man", "see bpfproc --help and the README"},
    {"version", "use --version (two dashes)", true},
    {"web.listen-address", "use --web.listen-address (two dashes)", true},
    {"web.telemetry-path", "use --web.telemetry-path (two dashes)", true},
    {"web.config.file", "use --web.config.file (two dashes)", true},
}};

}  // namespace

std::optional<std::string> process_exporter_hint(std::string_view argument) {
  if (!argument.starts_with('-')) return std::nullopt;
  std::string_view name = argument.substr(argument.starts_with("--") ? 2 : 1);
  name = name.substr(0, name.find('='));
  const bool two_dashes = argument.starts_with("--");
  for (const Hint& entry : kHints) {
    if (name != entry.flag) continue;
    if (two_dashes && entry.bpfproc_own_with_two_dashes) return std::nullopt;
    return std::string(argument.substr(0, argument.find('='))) + " is a process-exporter flag: " + std::string(entry.hint);
  }
  return std::nullopt;
}

std::optional<std::string> first_process_exporter_hint(const std::vector<std::string>& arguments) {
  for (const std::string& argument : arguments) {
    if (argument == "--" || argument == "measure" || argument == "bench") break;
    if (auto hint = process_exporter_hint(argument)) return hint;
  }
  return std::nullopt;
}

}  // namespace bpfproc
