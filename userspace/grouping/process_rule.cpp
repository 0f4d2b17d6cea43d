#include "bpfproc/grouping/process_rule.h"

#include <algorithm>
#include <string_view>

#include "bpfproc/procfs/proc_cmdline.h"
#include "bpfproc/util/path.h"

namespace bpfproc {
namespace {

// An entry with a '/' names one file; without, any file of that name (process-exporter's rule).
bool exe_entry_matches(std::string_view entry, std::string_view path) {
  if (path.empty()) return false;
  if (entry.find('/') != std::string_view::npos) return path == entry;
  return base_name(path) == entry;
}

// process-exporter compares exe entries with argv[0] only, so existing configs rely on that
// (e.g. "python3" when exe resolves to python3.11). We also accept the real executable, which
// catches processes that rewrite argv[0] ("postgres: checkpointer").
bool exe_matches(const std::vector<std::string>& entries, const ProcessIdentity& identity) {
  const std::string_view argv0 = identity.argv.empty() ? std::string_view{} : identity.argv.front();
  return std::any_of(entries.begin(), entries.end(), [&](const std::string& entry) {
    return exe_entry_matches(entry, identity.exe_path) || exe_entry_matches(entry, argv0);
  });
}

// Unanchored search; on a match, adds the regex's named captures to `captures`.
bool search_and_capture(const RE2& regex, std::string_view text, std::map<std::string, std::string>& captures) {
  const auto& named_groups = regex.NamedCapturingGroups();
  int highest_named_group = 0;
  for (const auto& [name, index] : named_groups) highest_named_group = std::max(highest_named_group, index);
  // Asking for no submatches when nothing is named lets RE2 take its fastest path.
  const int submatch_count = named_groups.empty() ? 0 : highest_named_group + 1;
  std::vector<re2::StringPiece> submatches(submatch_count);
  const re2::StringPiece input(text.data(), text.size());
  if (!regex.Match(input, 0, input.size(), RE2::UNANCHORED, submatches.data(), submatch_count)) return false;
  for (const auto& [name, index] : named_groups) captures[name] = std::string(submatches[index]);
  return true;
}

}  // namespace

std::optional<RuleMatch> ProcessRule::match(const ProcessIdentity& identity) const {
  if (!comm.empty() && std::find(comm.begin(), comm.end(), identity.comm) == comm.end()) return std::nullopt;
  if (!exe.empty() && !exe_matches(exe, identity)) return std::nullopt;

  RuleMatch result;
  if (!cmdline.empty()) {
    // process-exporter applies cmdline regexes to argv joined by single spaces.
    const std::string joined = join_cmdline(identity.argv);
    for (const auto& regex : cmdline) {
      if (!search_and_capture(*regex, joined, result.captures)) return std::nullopt;
    }
  }
  return result;
}

}  // namespace bpfproc
