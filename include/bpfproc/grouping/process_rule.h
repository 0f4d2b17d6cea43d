#pragma once
// One entry of process_names: selectors plus a name template. A rule matches when every selector
// it has matches: any of its comm entries, any of its exe entries (and of its exe_path entries),
// and all of its cmdline and cgroup regexes. A `use: catalogue` rule (bpfproc's own) has no selector: the
// built-in catalogue names the group and subgroup of the processes it knows (catalogue.h).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "bpfproc/grouping/catalogue.h"
#include "bpfproc/grouping/name_template.h"
#include "bpfproc/procfs/process_identity.h"

namespace bpfproc {

struct RuleMatch {
  // Captures of the cmdline regexes, by group name, as process-exporter fills its Matches map:
  // regex after regex, group after group, so an unnamed group (and the whole match, group 0) is
  // under "" and the last one wins. Only named groups when the name does not show the whole map.
  std::map<std::string, std::string> captures;
};

struct ProcessRule {
  NameTemplate name;
  bool threads = false;  // its groups are broken down by thread name (bpfproc's key)
  std::vector<std::string> comm;
  // As process-exporter: compared with argv[0] only. An entry with a '/' must equal argv[0]; one
  // without must equal its base name; of the entries with the same base name, the last one
  // listed decides.
  std::vector<std::string> exe;
  // bpfproc's own: compared with the resolved executable (/proc/PID/exe), which a process cannot
  // rewrite. A full path when the entry contains '/', else a base name; any entry may match.
  std::vector<std::string> exe_path;
  std::vector<std::shared_ptr<const RE2>> cmdline;  // searched, unanchored, in argv joined by spaces
  // bpfproc's own: searched, unanchored, in the cgroup v2 path; every one must match, and named
  // captures join cmdline's in Matches.
  std::vector<std::shared_ptr<const RE2>> cgroup;
  const Catalogue* catalogue = nullptr;  // set for `use: catalogue`, which has no other selector

  std::optional<RuleMatch> match(const ProcessIdentity& identity) const;
};

}  // namespace bpfproc
