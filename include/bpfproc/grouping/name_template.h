#pragma once
// Group name templates in process-exporter's syntax: literal text with {{.Field}} substitutions.
// Fields as process-exporter 0.7.10 renders them (its templateParams, printed by text/template):
// Comm, ExeBase, ExeFull, Username, PID, StartTime, Cgroups, Matches (the whole map) and
// Matches.NAME (one capture of a cmdline regex). bpfproc's own: ExePath, the resolved executable,
// and Cwd, the working directory (process-exporter has no Cwd: its template stops there), and
// the cgroup's (CgroupFields): Cgroup, the v2 path, Unit, ContainerID and PodUID.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bpfproc/procfs/process_identity.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct TemplateContext {
  const ProcessIdentity* identity = nullptr;
  std::string username;                        // resolved from identity->uid
  // Captures of the matching cmdline regexes by group name; unnamed groups under "" (RuleMatch).
  std::map<std::string, std::string> matches;
  // Start time on the wall clock as process-exporter computes it: /proc/stat's btime (whole
  // seconds) plus the start time in clock ticks.
  std::int64_t start_time_unix_ns = 0;
};

// A time as Go's time.Time.String() prints it in UTC, which {{.StartTime}} shows:
// "2026-11-30 06:45:28.82 +0000 UTC" (the fraction without trailing zeros, none when whole).
std::string go_time_string(std::int64_t unix_ns);

class NameTemplate {
 public:
  // Errors name the offending field, e.g. "unknown template field \"{{.Foo}}\"".
  static Result<NameTemplate> parse(std::string_view text);

  std::string render(const TemplateContext& context) const;
  const std::string& text() const { return text_; }
  // Names used as {{.Matches.NAME}}, so a rule can check they exist among its regex captures.
  std::vector<std::string> match_names() const;
  // Whether it renders {{.Username}}, which needs a password database lookup.
  bool uses_username() const { return uses(Field::Username); }
  // Whether it renders {{.Cwd}}, {{.Cgroups}} or {{.ExePath}}: parts of an identity that cost a
  // read of their own (and, for short-lived processes, a record from the kernel).
  bool uses_cwd() const { return uses(Field::Cwd); }
  bool uses_cgroups() const { return uses(Field::Cgroups); }
  bool uses_exe_path() const { return uses(Field::ExePath); }
  // Whether it renders {{.Cgroup}}, {{.Unit}}, {{.ContainerID}} or {{.PodUID}}.
  bool uses_cgroup_fields() const {
    return uses(Field::Cgroup) || uses(Field::Unit) || uses(Field::ContainerId) || uses(Field::PodUid);
  }
  // Whether it renders the whole {{.Matches}} map, which shows unnamed captures too.
  bool uses_all_matches() const { return uses(Field::Matches); }
  // Whether it renders a field that can differ for every process ({{.PID}}, {{.StartTime}},
  // {{.Cwd}}): up to one group per process, which only a series limit bounds.
  bool names_each_process() const;

 private:
  enum class Field {
    Comm, ExeBase, ExeFull, ExePath, Username, Pid, StartTime, Cwd, Cgroups, Cgroup, Unit, ContainerId, PodUid,
    Matches, Match
  };
  bool uses(Field field) const;
  struct Substitution {
    Field field;
    std::string match_name;  // for Field::Match
  };
  using Part = std::variant<std::string, Substitution>;

  std::string text_;
  std::vector<Part> parts_;
};

}  // namespace bpfproc
