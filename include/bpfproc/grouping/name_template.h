#pragma once
// Group name templates in process-exporter's syntax: literal text with {{.Field}} substitutions.
// Fields: Comm, ExeBase, ExeFull, Username, PID, StartTime, and Matches.NAME (a named capture of a
// cmdline regex), as process-exporter 0.7.10 renders them; and bpfproc's ExePath, the resolved
// executable.
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
  std::map<std::string, std::string> matches;  // named captures of the matching cmdline regexes
  double start_time_unix_seconds = 0;          // identity start time on the wall clock
};

class NameTemplate {
 public:
  // Errors name the offending field, e.g. "unknown template field \"{{.Foo}}\"".
  static Result<NameTemplate> parse(std::string_view text);

  std::string render(const TemplateContext& context) const;
  const std::string& text() const { return text_; }
  // Names used as {{.Matches.NAME}}, so a rule can check they exist among its regex captures.
  std::vector<std::string> match_names() const;
  // Whether it renders {{.Username}}, which needs a password database lookup.
  bool uses_username() const;
  // Whether it renders a field that differs for every process ({{.PID}}, {{.StartTime}}): one
  // group per process, which only a series limit bounds.
  bool names_each_process() const;

 private:
  enum class Field { Comm, ExeBase, ExeFull, ExePath, Username, Pid, StartTime, Match };
  struct Substitution {
    Field field;
    std::string match_name;  // for Field::Match
  };
  using Part = std::variant<std::string, Substitution>;

  std::string text_;
  std::vector<Part> parts_;
};

}  // namespace bpfproc
