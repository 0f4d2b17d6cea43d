#pragma once
// One entry of process_names: selectors plus a name template. A rule matches when every selector
// it has matches: any of its comm entries, any of its exe entries, and all of its cmdline regexes.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "bpfproc/grouping/name_template.h"
#include "bpfproc/procfs/process_identity.h"

namespace bpfproc {

struct RuleMatch {
  std::map<std::string, std::string> captures;  // named captures of the cmdline regexes
};

struct ProcessRule {
  NameTemplate name;
  std::vector<std::string> comm;
  // A basename, or a full path when the entry contains '/'; compared with the executable and
  // with argv[0] (process-exporter's rule), either may match.
  std::vector<std::string> exe;
  std::vector<std::shared_ptr<const RE2>> cmdline;  // searched, unanchored, in argv joined by spaces

  std::optional<RuleMatch> match(const ProcessIdentity& identity) const;
};

}  // namespace bpfproc
