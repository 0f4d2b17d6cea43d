#pragma once
// The configuration file: process-exporter's format (a top-level `process_names:` list, first
// matching rule wins) plus bpfproc's own settings beside it.
#include <cstdint>
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/grouping/group_name.h"
#include "bpfproc/grouping/process_rule.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

// --group.cgroup-label: a label every group metric gets, which splits each group by its members'
// systemd unit, container id or cgroup v2 path (CgroupFields).
enum class CgroupLabel { none, unit, container, cgroup };
// "unit", "container", "cgroup"; "" for none.
std::string_view cgroup_label_name(CgroupLabel label);
// From the flag's value ("" is none); an error names the flag and the values it takes.
Result<CgroupLabel> parse_cgroup_label(std::string_view value);

struct Config {
  std::vector<ProcessRule> rules;
  // A process that matches no rule joins the group of its nearest grouped ancestor.
  bool children = true;
  // Kernel threads are left out unless this is set.
  bool kernel_threads = false;
  // Every group's threads by name (--threads); rules can ask for their groups alone (threads: true).
  bool threads = false;
  CgroupLabel cgroup_label = CgroupLabel::none;  // --group.cgroup-label
  // One line each, "<source>:<line>: <reason>": what was ignored (keys it does not know).
  std::vector<std::string> warnings;
  // The warnings as one line, for a refusal: the first, and how many more.
  std::string warnings_line() const;
  // The YAML it was parsed from, for `bpfproc show-config` and /config.
  std::string document;

  // Name of the group for identity, or nullopt when no rule matches. `username` resolves
  // {{.Username}}, `start_time_unix_ns` {{.StartTime}} (TemplateContext).
  // rule_threads, when given, says whether the rule that named it has threads: true.
  std::optional<std::string> group_of(const ProcessIdentity& identity, const std::string& username,
                                      std::int64_t start_time_unix_ns, bool* rule_threads = nullptr) const;
  // The same with the subgroup, which only a `use: catalogue` rule gives.
  std::optional<GroupName> group_name_of(const ProcessIdentity& identity, const std::string& username,
                                         std::int64_t start_time_unix_ns, bool* rule_threads = nullptr) const;
  // Whether any group is broken down by thread name: threads, or a rule's threads: true.
  bool any_threads() const {
    return threads || std::any_of(rules.begin(), rules.end(), [](const ProcessRule& rule) { return rule.threads; });
  }
  // Whether a rule's name uses {{.Username}}: without one, group_of needs no user name.
  bool needs_user_names() const;
  // The parts of identities the rules read beyond the basic ones ({{.Cwd}}, {{.Cgroups}}).
  IdentityParts identity_parts() const;
  // Whether a rule reads the resolved executable ({{.ExePath}}, exe_path:), which the kernel's
  // exec event does not carry (it has the path as passed to execve).
  bool needs_exe_path() const;
  // The rules' name templates that can make one group per process (NameTemplate::names_each_process).
  std::vector<std::string> per_process_names() const;
};

// The embedded default: one group per comm, for every process with a command line.
Config default_config();
extern const char* const kDefaultConfigYaml;

// Errors are one line: "<source>:<line>: <reason>", e.g.
// "bpfproc.yml:4: invalid cmdline regex ...". Keys it does not know are warnings (Config::warnings).
// Bad YAML, duplicate keys, wrong types, bad regexes and unknown template fields are errors.
Result<Config> parse_config(std::string_view yaml_text, const std::string& source_name);
Result<Config> load_config_file(const std::string& path);

}  // namespace bpfproc
