#include "bpfproc/grouping/name_template.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <utility>

#include "bpfproc/util/path.h"

namespace bpfproc {
namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";
constexpr std::string_view kMatchesPrefix = ".Matches.";

std::string_view trim_spaces(std::string_view text) {
  constexpr std::string_view kSpaces = " \t";
  const auto first = text.find_first_not_of(kSpaces);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpaces);
  return text.substr(first, last - first + 1);
}

// Capture names are regex group names: letters, digits and underscores.
bool is_capture_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char character : name) {
    const bool word = (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
                      (character >= '0' && character <= '9') || character == '_';
    if (!word) return false;
  }
  return true;
}

// As process-exporter 0.7.10, so that its configs make the same names: ExeFull is argv[0], or
// comm for a process without a command line (a kernel thread), and ExeBase its last element
// (Go's filepath.Base: "." for an empty argv[0]). The executable itself, which a process
// cannot fake, is {{.ExePath}}.
std::string exe_full_for_template(const ProcessIdentity& identity) {
  return identity.argv.empty() ? identity.comm : identity.argv.front();
}

std::string exe_base_for_template(const ProcessIdentity& identity) {
  return identity.argv.empty() ? identity.comm : std::string(go_base_name(identity.argv.front()));
}

std::string exe_path_for_template(const ProcessIdentity& identity) {
  return identity.exe_path.empty() ? exe_full_for_template(identity) : identity.exe_path;
}

// How text/template prints a []string (fmt's %v): "[a b c]".
std::string go_string_slice(const std::vector<std::string>& items) {
  std::string printed = "[";
  for (const std::string& item : items) {
    if (&item != &items.front()) printed += ' ';
    printed += item;
  }
  return printed + "]";
}

// How text/template prints a map[string]string (fmt's %v): "map[k1:v1 k2:v2]", keys sorted by
// bytes, as std::map<std::string> sorts them.
std::string go_string_map(const std::map<std::string, std::string>& map) {
  std::string printed = "map[";
  bool first = true;
  for (const auto& [key, value] : map) {
    if (!std::exchange(first, false)) printed += ' ';
    printed += key;
    printed += ':';
    printed += value;
  }
  return printed + "]";
}

}  // namespace

std::string go_time_string(std::int64_t unix_ns) {
  constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;
  std::int64_t seconds = unix_ns / kNanosecondsPerSecond;
  std::int64_t nanoseconds = unix_ns % kNanosecondsPerSecond;
  if (nanoseconds < 0) {  // before 1970: the fraction counts up from the second below
    --seconds;
    nanoseconds += kNanosecondsPerSecond;
  }
  const auto whole_seconds = static_cast<std::time_t>(seconds);
  std::tm utc{};
  if (gmtime_r(&whole_seconds, &utc) == nullptr) return {};
  char buffer[64];  // "YYYY-MM-DD HH:MM:SS" is 19 characters; the rest leaves room for big years
  std::size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &utc);
  std::string printed(buffer, length);
  if (nanoseconds != 0) {
    // Go's ".999999999": nine digits without the trailing zeros.
    std::snprintf(buffer, sizeof buffer, ".%09lld", static_cast<long long>(nanoseconds));
    std::string fraction(buffer);
    while (fraction.back() == '0') fraction.pop_back();
    printed += fraction;
  }
  return printed + " +0000 UTC";
}

Result<NameTemplate> NameTemplate::parse(std::string_view text) {
  NameTemplate parsed;
  parsed.text_ = std::string(text);
  std::string literal;
  auto flush_literal = [&] {
    if (!literal.empty()) parsed.parts_.emplace_back(std::exchange(literal, {}));
  };

  std::size_t position = 0;
  while (position < text.size()) {
    const auto open = text.find(kOpen, position);
    if (open == std::string_view::npos) {
      literal.append(text.substr(position));
      break;
    }
    literal.append(text.substr(position, open - position));
    const auto close = text.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos) {
      return Error{"unterminated template field \"" + std::string(text.substr(open)) + "\"", "", 0};
    }
    const std::string_view action = text.substr(open, close + kClose.size() - open);
    const std::string_view field = trim_spaces(text.substr(open + kOpen.size(), close - open - kOpen.size()));

    Substitution substitution{Field::Comm, {}};
    if (field == ".Comm") {
      substitution.field = Field::Comm;
    } else if (field == ".ExeBase") {
      substitution.field = Field::ExeBase;
    } else if (field == ".ExeFull") {
      substitution.field = Field::ExeFull;
    } else if (field == ".ExePath") {
      substitution.field = Field::ExePath;
    } else if (field == ".Username") {
      substitution.field = Field::Username;
    } else if (field == ".PID") {
      substitution.field = Field::Pid;
    } else if (field == ".StartTime") {
      substitution.field = Field::StartTime;
    } else if (field == ".Cwd") {
      substitution.field = Field::Cwd;
    } else if (field == ".Cgroups") {
      substitution.field = Field::Cgroups;
    } else if (field == ".Cgroup") {
      substitution.field = Field::Cgroup;
    } else if (field == ".Unit") {
      substitution.field = Field::Unit;
    } else if (field == ".ContainerID") {
      substitution.field = Field::ContainerId;
    } else if (field == ".PodUID") {
      substitution.field = Field::PodUid;
    } else if (field == ".Matches") {
      substitution.field = Field::Matches;
    } else if (field.substr(0, kMatchesPrefix.size()) == kMatchesPrefix &&
               is_capture_name(field.substr(kMatchesPrefix.size()))) {
      substitution.field = Field::Match;
      substitution.match_name = std::string(field.substr(kMatchesPrefix.size()));
    } else {
      return Error{"unknown template field \"" + std::string(action) + "\"", "", 0};
    }
    flush_literal();
    parsed.parts_.emplace_back(std::move(substitution));
    position = close + kClose.size();
  }
  flush_literal();
  return parsed;
}

std::string NameTemplate::render(const TemplateContext& context) const {
  static const ProcessIdentity kNoIdentity;
  const ProcessIdentity& identity = context.identity != nullptr ? *context.identity : kNoIdentity;

  std::string rendered;
  for (const Part& part : parts_) {
    if (const auto* literal = std::get_if<std::string>(&part)) {
      rendered += *literal;
      continue;
    }
    const auto& substitution = std::get<Substitution>(part);
    switch (substitution.field) {
      case Field::Comm: rendered += identity.comm; break;
      case Field::ExeBase: rendered += exe_base_for_template(identity); break;
      case Field::ExeFull: rendered += exe_full_for_template(identity); break;
      case Field::ExePath: rendered += exe_path_for_template(identity); break;
      case Field::Username: rendered += context.username; break;
      case Field::Pid: rendered += std::to_string(identity.pid); break;
      case Field::StartTime: rendered += go_time_string(context.start_time_unix_ns); break;
      case Field::Cwd: rendered += identity.cwd; break;
      case Field::Cgroups: rendered += go_string_slice(identity.cgroups); break;
      case Field::Cgroup: rendered += identity.cgroup.path; break;
      case Field::Unit: rendered += identity.cgroup.unit; break;
      case Field::ContainerId: rendered += identity.cgroup.container_id; break;
      case Field::PodUid: rendered += identity.cgroup.pod_uid; break;
      case Field::Matches: rendered += go_string_map(context.matches); break;
      case Field::Match: {
        // A capture in an optional group that did not take part renders empty, as in Go.
        const auto found = context.matches.find(substitution.match_name);
        if (found != context.matches.end()) rendered += found->second;
        break;
      }
    }
  }
  return rendered;
}

std::vector<std::string> NameTemplate::match_names() const {
  std::vector<std::string> names;
  for (const Part& part : parts_) {
    const auto* substitution = std::get_if<Substitution>(&part);
    if (substitution != nullptr && substitution->field == Field::Match) names.push_back(substitution->match_name);
  }
  return names;
}

bool NameTemplate::names_each_process() const {
  return uses(Field::Pid) || uses(Field::StartTime) || uses(Field::Cwd);
}

bool NameTemplate::uses(Field field) const {
  return std::any_of(parts_.begin(), parts_.end(), [field](const Part& part) {
    const auto* substitution = std::get_if<Substitution>(&part);
    return substitution != nullptr && substitution->field == field;
  });
}

}  // namespace bpfproc
