#include "bpfproc/grouping/process_rule.h"

#include <algorithm>
#include <string_view>

#include "bpfproc/procfs/proc_cmdline.h"
#include "bpfproc/util/path.h"

namespace bpfproc {
namespace {

// process-exporter's exeMatcher: its entries go into a map from base name to the entry when it
// has a '/' (else to ""), so the last entry of each base name is the one that counts.
bool exe_matches(const std::vector<std::string>& entries, const ProcessIdentity& identity) {
  if (identity.argv.empty()) return false;
  const std::string& argv0 = identity.argv.front();
  const std::string_view base = go_base_name(argv0);
  for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
    const bool full_path = entry->find('/') != std::string::npos;
    if ((full_path ? go_base_name(*entry) : std::string_view(*entry)) != base) continue;
    return !full_path || *entry == argv0;
  }
  return false;
}

// An entry with a '/' names one file; without, any file of that name.
bool exe_path_matches(const std::vector<std::string>& entries, const ProcessIdentity& identity) {
  const std::string_view path = identity.exe_path;
  if (path.empty()) return false;
  return std::any_of(entries.begin(), entries.end(), [&](const std::string& entry) {
    return entry.find('/') != std::string::npos ? path == entry : base_name(path) == entry;
  });
}

// Unanchored search; on a match, adds the regex's captures to `captures` (RuleMatch says which).
bool search_and_capture(const RE2& regex, std::string_view text, bool all_groups,
                        std::map<std::string, std::string>& captures) {
  const auto& named_groups = regex.NamedCapturingGroups();
  int submatch_count = 0;
  if (all_groups) {
    submatch_count = regex.NumberOfCapturingGroups() + 1;
  } else {
    // Asking for no submatches when nothing is named lets RE2 take its fastest path.
    for (const auto& [name, index] : named_groups) submatch_count = std::max(submatch_count, index + 1);
  }
  std::vector<re2::StringPiece> submatches(submatch_count);
  const re2::StringPiece input(text.data(), text.size());
  if (!regex.Match(input, 0, input.size(), RE2::UNANCHORED, submatches.data(), submatch_count)) return false;
  if (!all_groups) {
    for (const auto& [name, index] : named_groups) captures[name] = std::string(submatches[index]);
    return true;
  }
  // Go's SubexpNames: "" for group 0 and for every unnamed group, in order.
  const auto& group_names = regex.CapturingGroupNames();
  for (int index = 0; index < submatch_count; ++index) {
    const auto name = group_names.find(index);
    captures[name == group_names.end() ? std::string() : name->second] = std::string(submatches[index]);
  }
  return true;
}

}  // namespace

std::optional<RuleMatch> ProcessRule::match(const ProcessIdentity& identity) const {
  if (!comm.empty() && std::find(comm.begin(), comm.end(), identity.comm) == comm.end()) return std::nullopt;
  if (!exe.empty() && !exe_matches(exe, identity)) return std::nullopt;
  if (!exe_path.empty() && !exe_path_matches(exe_path, identity)) return std::nullopt;

  RuleMatch result;
  if (!cmdline.empty()) {
    // process-exporter applies cmdline regexes to argv joined by single spaces.
    const std::string joined = join_cmdline(identity.argv);
    const bool all_groups = name.uses_all_matches();
    for (const auto& regex : cmdline) {
      if (!search_and_capture(*regex, joined, all_groups, result.captures)) return std::nullopt;
    }
  }
  for (const auto& regex : cgroup)
    if (!search_and_capture(*regex, identity.cgroup.path, name.uses_all_matches(), result.captures)) return std::nullopt;
  return result;
}

}  // namespace bpfproc
