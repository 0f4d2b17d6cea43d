#include "bpfproc/grouping/catalogue.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "bpfproc/grouping/catalogue_yaml.h"  // generated from catalogue/catalogue.yml
#include "bpfproc/procfs/proc_cmdline.h"
#include "bpfproc/util/path.h"

namespace bpfproc {

const char* const kCatalogueYaml = kEmbeddedCatalogueYaml;

namespace {

// The kernel keeps 15 bytes of a comm (TASK_COMM_LEN 16 with its NUL): a longer entry never matches.
constexpr std::size_t kCommMaxBytes = 15;

bool listed(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool named_by(const CatalogueEntry& entry, const ProcessIdentity& identity) {
  if (entry.comm.empty() && entry.exe.empty()) return true;
  if (listed(entry.comm, identity.comm)) return true;
  if (!identity.argv.empty() && listed(entry.exe, go_base_name(identity.argv.front()))) return true;
  return !identity.exe_path.empty() && listed(entry.exe, base_name(identity.exe_path));
}

bool cmdline_matches(const CatalogueEntry& entry, std::string_view joined) {
  const re2::StringPiece text(joined.data(), joined.size());
  return std::all_of(entry.cmdline.begin(), entry.cmdline.end(),
                     [&](const auto& regex) { return RE2::PartialMatch(text, *regex); });
}

class CatalogueParser {
 public:
  explicit CatalogueParser(std::string source_name) : source_name_(std::move(source_name)) {}

  Error error_at(const YAML::Mark& mark, std::string reason) const {
    const int line = mark.is_null() ? 1 : mark.line + 1;
    return Error{std::move(reason), source_name_ + ":" + std::to_string(line), 0};
  }

  Result<std::vector<CatalogueEntry>> parse_document(const YAML::Node& root) const {
    if (!root.IsMap() || !root["catalogue"] || !root["catalogue"].IsSequence())
      return error_at(root.Mark(), "the top level must be a map with a catalogue: list");
    std::vector<CatalogueEntry> entries;
    std::set<std::pair<std::string, std::string>> seen;
    for (const YAML::Node& node : root["catalogue"]) {
      auto entry = parse_entry(node);
      if (!entry) return entry.error();
      if (!seen.emplace(entry->group, entry->subgroup).second)
        return error_at(node.Mark(), "group " + entry->group + " subgroup " + entry->subgroup + " appears twice");
      entries.push_back(std::move(*entry));
    }
    return entries;
  }

 private:
  Result<std::vector<std::string>> strings(const YAML::Node& key, const YAML::Node& value) const {
    if (!value.IsSequence() || value.size() == 0)
      return error_at(key.Mark(), key.Scalar() + " must be a non-empty list of strings");
    std::vector<std::string> items;
    for (const YAML::Node& item : value) {
      if (!item.IsScalar() || item.Scalar().empty()) return error_at(item.Mark(), key.Scalar() + " entries must be strings");
      items.push_back(item.Scalar());
    }
    return items;
  }

  Result<CatalogueEntry> parse_entry(const YAML::Node& node) const {
    if (!node.IsMap()) return error_at(node.Mark(), "an entry must be a map");
    CatalogueEntry entry;
    entry.line = node.Mark().line + 1;
    for (const auto& item : node) {
      const YAML::Node& key = item.first;
      const YAML::Node& value = item.second;
      const std::string& name = key.Scalar();
      if (name == "group" || name == "subgroup" || name == "example") {
        if (!value.IsScalar() || value.Scalar().empty()) return error_at(key.Mark(), name + " must be a string");
        (name == "group" ? entry.group : name == "subgroup" ? entry.subgroup : entry.example) = value.Scalar();
      } else if (name == "comm" || name == "exe") {
        auto names = strings(key, value);
        if (!names) return names.error();
        for (const std::string& comm : name == "comm" ? *names : std::vector<std::string>{})
          if (comm.size() > kCommMaxBytes) return error_at(key.Mark(), "comm \"" + comm + "\" is longer than 15 bytes");
        (name == "comm" ? entry.comm : entry.exe) = std::move(*names);
      } else if (name == "cmdline") {
        auto patterns = strings(key, value);
        if (!patterns) return patterns.error();
        for (const std::string& pattern : *patterns) {
          RE2::Options options;
          options.set_log_errors(false);
          auto regex = std::make_shared<const RE2>(pattern, options);
          if (!regex->ok()) return error_at(key.Mark(), "invalid cmdline regex \"" + pattern + "\": " + regex->error());
          entry.cmdline.push_back(std::move(regex));
        }
      } else {
        return error_at(key.Mark(), "unknown key \"" + name + "\" (expected group, subgroup, comm, exe, cmdline or example)");
      }
    }
    if (entry.group.empty() || entry.subgroup.empty()) return error_at(node.Mark(), "an entry needs group and subgroup");
    if (entry.comm.empty() && entry.exe.empty() && entry.cmdline.empty())
      return error_at(node.Mark(), "an entry needs comm, exe or cmdline");
    // The example documents what the regexes are for, and the shadowing test builds a process from it.
    if (!entry.cmdline.empty() && entry.example.empty())
      return error_at(node.Mark(), "an entry with cmdline needs an example command line");
    if (!entry.example.empty() && !cmdline_matches(entry, entry.example))
      return error_at(node.Mark(), "the example does not match the entry's cmdline regexes");
    return entry;
  }

  std::string source_name_;
};

}  // namespace

bool CatalogueEntry::matches(const ProcessIdentity& identity) const {
  return named_by(*this, identity) && (cmdline.empty() || cmdline_matches(*this, join_cmdline(identity.argv)));
}

Result<Catalogue> Catalogue::parse(std::string_view yaml_text, const std::string& source_name) {
  const CatalogueParser parser(source_name);
  Result<std::vector<CatalogueEntry>> entries = Error{};
  try {
    entries = parser.parse_document(YAML::Load(std::string(yaml_text)));
  } catch (const YAML::Exception& exception) {
    return parser.error_at(exception.mark, exception.msg);
  }
  if (!entries) return entries.error();
  Catalogue catalogue;
  catalogue.entries_ = std::move(*entries);
  for (std::size_t index = 0; index < catalogue.entries_.size(); ++index) {
    const CatalogueEntry& entry = catalogue.entries_[index];
    for (const std::string& comm : entry.comm) catalogue.by_comm_[comm].push_back(index);
    for (const std::string& exe : entry.exe) catalogue.by_exe_[exe].push_back(index);
    if (entry.comm.empty() && entry.exe.empty()) catalogue.cmdline_only_.push_back(index);
  }
  return catalogue;
}

const CatalogueEntry* Catalogue::match(const ProcessIdentity& identity) const {
  std::vector<std::size_t> candidates = cmdline_only_;
  const auto add = [&](const auto& index, std::string_view name) {
    if (name.empty()) return;
    if (auto found = index.find(std::string(name)); found != index.end())
      candidates.insert(candidates.end(), found->second.begin(), found->second.end());
  };
  add(by_comm_, identity.comm);
  if (!identity.argv.empty()) add(by_exe_, go_base_name(identity.argv.front()));
  add(by_exe_, base_name(identity.exe_path));
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::optional<std::string> joined;  // argv joined once, only when a candidate has regexes
  for (const std::size_t index : candidates) {
    const CatalogueEntry& entry = entries_[index];
    if (!named_by(entry, identity)) continue;
    if (!entry.cmdline.empty()) {
      if (!joined) joined = join_cmdline(identity.argv);
      if (!cmdline_matches(entry, *joined)) continue;
    }
    return &entry;
  }
  return nullptr;
}

std::vector<std::string> Catalogue::groups() const {
  std::vector<std::string> groups;
  for (const CatalogueEntry& entry : entries_)
    if (std::find(groups.begin(), groups.end(), entry.group) == groups.end()) groups.push_back(entry.group);
  return groups;
}

const Catalogue& builtin_catalogue() {
  static const Catalogue catalogue = [] {
    auto parsed = Catalogue::parse(kCatalogueYaml, "catalogue/catalogue.yml");
    if (!parsed) {
      std::fprintf(stderr, "bpfproc: embedded catalogue is invalid: %s\n", parsed.error().message().c_str());
      std::abort();
    }
    return std::move(*parsed);
  }();
  return catalogue;
}

}  // namespace bpfproc
