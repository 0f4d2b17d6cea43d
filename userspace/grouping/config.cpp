#include "bpfproc/grouping/config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "bpfproc/grouping/default_config_yaml.h"  // generated from packaging/config.yml
#include "bpfproc/util/whole_file.h"

namespace bpfproc {

const char* const kDefaultConfigYaml = kPackagedDefaultConfigYaml;

std::optional<std::string> Config::group_of(const ProcessIdentity& identity, const std::string& username,
                                             std::int64_t start_time_unix_ns, bool* rule_threads) const {
  auto name = group_name_of(identity, username, start_time_unix_ns, rule_threads);
  if (!name) return std::nullopt;
  return std::move(name->name);
}

std::optional<GroupName> Config::group_name_of(const ProcessIdentity& identity, const std::string& username,
                                               std::int64_t start_time_unix_ns, bool* rule_threads) const {
  for (const ProcessRule& rule : rules) {
    if (rule.catalogue != nullptr) {
      // A process the catalogue does not know goes on to the next rule, as past a rule that does not match.
      const CatalogueEntry* entry = rule.catalogue->match(identity);
      if (entry == nullptr) continue;
      if (rule_threads != nullptr) *rule_threads = rule.threads;
      return GroupName{entry->group, entry->subgroup};
    }
    std::optional<RuleMatch> match = rule.match(identity);
    if (!match) continue;
    const TemplateContext context{&identity, username, std::move(match->captures), start_time_unix_ns};
    if (rule_threads != nullptr) *rule_threads = rule.threads;
    return GroupName{rule.name.render(context), {}};
  }
  return std::nullopt;
}

std::string_view cgroup_label_name(CgroupLabel label) {
  switch (label) {
    case CgroupLabel::unit: return "unit";
    case CgroupLabel::container: return "container";
    case CgroupLabel::cgroup: return "cgroup";
    case CgroupLabel::none: break;
  }
  return "";
}

Result<CgroupLabel> parse_cgroup_label(std::string_view value) {
  for (const CgroupLabel label : {CgroupLabel::none, CgroupLabel::unit, CgroupLabel::container, CgroupLabel::cgroup})
    if (value == cgroup_label_name(label)) return label;
  return Error{"--group.cgroup-label " + std::string(value) + ": must be unit, container or cgroup", ""};
}

bool Config::needs_user_names() const {
  return std::any_of(rules.begin(), rules.end(), [](const ProcessRule& rule) { return rule.name.uses_username(); });
}

IdentityParts Config::identity_parts() const {
  IdentityParts parts;
  parts.cgroup = cgroup_label != CgroupLabel::none;
  for (const ProcessRule& rule : rules) {
    parts.cwd = parts.cwd || rule.name.uses_cwd();
    parts.cgroups = parts.cgroups || rule.name.uses_cgroups();
    parts.cgroup = parts.cgroup || rule.name.uses_cgroup_fields() || !rule.cgroup.empty();
  }
  return parts;
}

bool Config::needs_exe_path() const {
  return std::any_of(rules.begin(), rules.end(),
                     [](const ProcessRule& rule) { return rule.name.uses_exe_path() || !rule.exe_path.empty(); });
}

std::vector<std::string> Config::per_process_names() const {
  std::vector<std::string> names;
  for (const ProcessRule& rule : rules)
    if (rule.name.names_each_process()) names.push_back(rule.name.text());
  return names;
}

namespace {

// process-exporter's default group name.
constexpr const char* kDefaultNameTemplate = "{{.ExeBase}}";

// Turns one YAML document into a Config; every error points at a line of `source_name`.
class ConfigParser {
 public:
  explicit ConfigParser(std::string source_name) : source_name_(std::move(source_name)) {}

  Error error_at(const YAML::Mark& mark, std::string reason) const {
    // YAML marks count lines from 0; a null mark (empty document) points at the first line.
    const int line = mark.is_null() ? 1 : mark.line + 1;
    return Error{std::move(reason), source_name_ + ":" + std::to_string(line), 0};
  }

  Result<Config> parse_document(const YAML::Node& root) const {
    if (root.IsNull()) return error_at(root.Mark(), "missing process_names");
    if (!root.IsMap()) return error_at(root.Mark(), "the top level must be a map with process_names");

    Config config;
    bool has_process_names = false;
    std::set<std::string> seen_keys;
    for (const auto& entry : root) {
      const YAML::Node& key = entry.first;
      const YAML::Node& value = entry.second;
      const Status key_status = check_key(key, seen_keys, "process_names, children, kernel_threads, sources or remote_write");
      if (!key_status) return key_status.error();

      if (key.Scalar() == "process_names") {
        auto rules = parse_rules(key, value);
        if (!rules) return rules.error();
        config.rules = std::move(*rules);
        has_process_names = true;
      } else if (key.Scalar() == "children") {
        auto children = parse_bool(key, value);
        if (!children) return children.error();
        config.children = *children;
      } else if (key.Scalar() == "kernel_threads") {
        auto kernel_threads = parse_bool(key, value);
        if (!kernel_threads) return kernel_threads.error();
        config.kernel_threads = *kernel_threads;
      } else if (key.Scalar() == "sources") {
        // Custom metric sources: parsed and checked by collectors/sources/source_config.
      } else if (key.Scalar() == "remote_write") {
        // push/'s section (push/remote_write_config.h), read from the same document by the daemon.
      } else {
        unknown_key(key, "process_names, children, kernel_threads, sources or remote_write");
      }
    }
    if (!has_process_names) return error_at(root.Mark(), "missing process_names");
    config.warnings = std::move(warnings_);
    return config;
  }

 private:
  // Keys must be plain strings and appear once; yaml-cpp would silently keep both duplicates.
  Status check_key(const YAML::Node& key, std::set<std::string>& seen_keys, const char* expected) const {
    if (!key.IsScalar()) return error_at(key.Mark(), std::string("keys must be strings (expected ") + expected + ")");
    if (!seen_keys.insert(key.Scalar()).second) return error_at(key.Mark(), "duplicate key \"" + key.Scalar() + "\"");
    return Ok{};
  }

  // process-exporter ignores keys it does not know, and configs written for it carry some: a
  // warning, not an error (check-config makes them fatal for pipelines that want that).
  void unknown_key(const YAML::Node& key, const char* expected) const {
    warnings_.push_back(error_at(key.Mark(), "unknown key \"" + key.Scalar() + "\" ignored (expected " + expected +
                                             ")").message());
  }

  Result<bool> parse_bool(const YAML::Node& key, const YAML::Node& value) const {
    bool parsed = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, parsed)) {
      return error_at(key.Mark(), key.Scalar() + " must be true or false");
    }
    return parsed;
  }

  // The items of a list of strings, as nodes so that each keeps its line for later errors.
  Result<std::vector<YAML::Node>> string_items(const YAML::Node& key, const YAML::Node& value) const {
    if (!value.IsSequence()) return error_at(key.Mark(), key.Scalar() + " must be a list of strings");
    // An empty list can never match (comm, exe) or always matches (cmdline) in process-exporter;
    // either way it is a mistake, so say so instead of guessing.
    if (value.size() == 0) return error_at(key.Mark(), key.Scalar() + " must not be empty");
    std::vector<YAML::Node> items;
    for (const YAML::Node& item : value) {
      if (!item.IsScalar()) return error_at(item.Mark(), key.Scalar() + " entries must be strings");
      items.push_back(item);
    }
    return items;
  }

  Result<std::vector<ProcessRule>> parse_rules(const YAML::Node& key, const YAML::Node& value) const {
    if (!value.IsSequence()) return error_at(key.Mark(), "process_names must be a list of rules");
    std::vector<ProcessRule> rules;
    for (const YAML::Node& rule_node : value) {
      auto rule = parse_rule(rule_node);
      if (!rule) return rule.error();
      rules.push_back(std::move(*rule));
    }
    return rules;
  }

  Result<ProcessRule> parse_rule(const YAML::Node& node) const {
    constexpr const char* kRuleKeys = "name, comm, exe, exe_path, cmdline, cgroup, threads or use";
    if (!node.IsMap()) return error_at(node.Mark(), std::string("a rule must be a map with ") + kRuleKeys);

    ProcessRule rule;
    std::string name_text = kDefaultNameTemplate;
    YAML::Mark name_mark = node.Mark();
    std::set<std::string> capture_names;
    std::set<std::string> seen_keys;
    std::optional<YAML::Mark> selector_mark;  // of the first key a `use:` rule cannot have
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      const YAML::Node& value = entry.second;
      const Status key_status = check_key(key, seen_keys, kRuleKeys);
      if (!key_status) return key_status.error();
      static const std::set<std::string> kSelectorKeys{"name", "comm", "exe", "exe_path", "cmdline", "cgroup"};
      if (kSelectorKeys.count(key.Scalar()) != 0 && !selector_mark) selector_mark = key.Mark();

      if (key.Scalar() == "use") {
        // bpfproc's own: classify by a built-in table. The catalogue is always embedded.
        if (!value.IsScalar() || value.Scalar() != "catalogue") {
          return error_at(value.IsScalar() ? value.Mark() : key.Mark(),
                          "unknown use: value \"" + (value.IsScalar() ? value.Scalar() : std::string("?")) +
                              "\" (expected catalogue)");
        }
        rule.catalogue = &builtin_catalogue();
      } else if (key.Scalar() == "name") {
        // An unquoted {{.Comm}} is a YAML flow map, the most likely reason for a non-string name.
        if (!value.IsScalar()) return error_at(key.Mark(), "name must be a string (quote templates: \"{{.Comm}}\")");
        // process-exporter cannot tell an empty name from a missing one: both get the default.
        if (!value.Scalar().empty()) name_text = value.Scalar();
        name_mark = key.Mark();
      } else if (key.Scalar() == "comm" || key.Scalar() == "exe" || key.Scalar() == "exe_path") {
        auto items = string_items(key, value);
        if (!items) return items.error();
        auto& entries = key.Scalar() == "comm" ? rule.comm : key.Scalar() == "exe" ? rule.exe : rule.exe_path;
        for (const YAML::Node& item : *items) entries.push_back(item.Scalar());
      } else if (key.Scalar() == "threads") {
        auto threads = parse_bool(key, value);
        if (!threads) return threads.error();
        rule.threads = *threads;
      } else if (key.Scalar() == "cmdline" || key.Scalar() == "cgroup") {
        // cgroup: bpfproc's own, matched against the cgroup v2 path as cmdline against argv.
        auto items = string_items(key, value);
        if (!items) return items.error();
        auto& regexes = key.Scalar() == "cmdline" ? rule.cmdline : rule.cgroup;
        for (const YAML::Node& item : *items) {
          auto regex = compile_regex(key.Scalar(), item.Scalar(), item.Mark());
          if (!regex) return regex.error();
          for (const auto& [capture_name, group_index] : (*regex)->NamedCapturingGroups()) {
            capture_names.insert(capture_name);
          }
          regexes.push_back(std::move(*regex));
        }
      } else {
        unknown_key(key, kRuleKeys);
      }
    }
    if (rule.catalogue != nullptr) {
      // The catalogue names the groups: a name or a selector beside it would be ignored.
      if (selector_mark) return error_at(*selector_mark, "a use: catalogue rule takes no name or selector (only threads)");
      return rule;
    }
    if (rule.comm.empty() && rule.exe.empty() && rule.exe_path.empty() && rule.cmdline.empty() && rule.cgroup.empty()) {
      return error_at(node.Mark(), "rule has no comm, exe, exe_path, cmdline or cgroup selector");
    }

    auto name = NameTemplate::parse(name_text);
    if (!name) return error_at(name_mark, name.error().what);
    // Go templates render a missing capture as "<no value>"; catching it here is kinder.
    for (const std::string& match_name : name->match_names()) {
      if (capture_names.count(match_name) == 0) {
        return error_at(name_mark, "name uses \"{{.Matches." + match_name +
                                       "}}\" but no cmdline or cgroup regex of this rule has a capture (?P<" + match_name +
                                       ">...)");
      }
    }
    rule.name = std::move(*name);
    return rule;
  }

  Result<std::shared_ptr<const RE2>> compile_regex(const std::string& selector, const std::string& pattern,
                                                   const YAML::Mark& mark) const {
    RE2::Options options;
    options.set_log_errors(false);  // the error goes into our one-line message instead of stderr
    auto regex = std::make_shared<const RE2>(pattern, options);
    if (!regex->ok()) return error_at(mark, "invalid " + selector + " regex \"" + pattern + "\": " + regex->error());
    return std::shared_ptr<const RE2>(std::move(regex));
  }

  std::string source_name_;
  mutable std::vector<std::string> warnings_;
};

}  // namespace

Result<Config> parse_config(std::string_view yaml_text, const std::string& source_name) {
  const ConfigParser parser(source_name);
  try {
    auto config = parser.parse_document(YAML::Load(std::string(yaml_text)));
    if (config) config->document = std::string(yaml_text);
    return config;
  } catch (const YAML::Exception& exception) {
    return parser.error_at(exception.mark, exception.msg);
  }
}

Result<Config> load_config_file(const std::string& path) {
  auto text = read_regular_file(path);
  if (!text) {
    if (text.error().errno_value == 0) return Error{"cannot read config file: " + text.error().what, path};
    return Error{"cannot read config file", path, text.error().errno_value};
  }
  return parse_config(*text, path);
}

std::string Config::warnings_line() const {
  if (warnings.empty()) return "";
  std::string line = warnings.front();
  if (warnings.size() > 1) line += " (and " + std::to_string(warnings.size() - 1) + " more)";
  return line;
}

Config default_config() {
  auto config = parse_config(kDefaultConfigYaml, "<default config>");
  if (!config) {
    // Only a broken build gets here; there is no sensible way to run without grouping rules.
    std::fprintf(stderr, "bpfproc: embedded default config is invalid: %s\n", config.error().message().c_str());
    std::abort();
  }
  return std::move(*config);
}

}  // namespace bpfproc
