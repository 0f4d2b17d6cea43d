#include "bpfproc/grouping/catalogue_listing.h"

#include <algorithm>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace bpfproc {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ",") + item;
  return text;
}

// One cell: what the entry matches on, in the file header's words.
std::string matchers(const CatalogueEntry& entry) {
  std::string text;
  const auto part = [&](const std::string& item) { text += (text.empty() ? "" : " ") + item; };
  if (!entry.comm.empty()) part("comm=" + joined(entry.comm));
  if (!entry.exe.empty()) part("exe=" + joined(entry.exe));
  for (const auto& regex : entry.cmdline) part("cmdline=/" + regex->pattern() + "/");
  return text;
}

std::string table(const std::vector<const CatalogueEntry*>& entries) {
  std::size_t group_width = 5, subgroup_width = 8;  // the headers' widths
  for (const CatalogueEntry* entry : entries) {
    group_width = std::max(group_width, entry->group.size());
    subgroup_width = std::max(subgroup_width, entry->subgroup.size());
  }
  const auto row = [&](const std::string& group, const std::string& subgroup, const std::string& matched) {
    std::string line = group + std::string(group_width - group.size() + 2, ' ') + subgroup +
                       std::string(subgroup_width - subgroup.size() + 2, ' ') + matched;
    return line + "\n";
  };
  std::string text = row("GROUP", "SUBGROUP", "MATCHERS");
  for (const CatalogueEntry* entry : entries) text += row(entry->group, entry->subgroup, matchers(*entry));
  return text;
}

std::string yaml(const std::vector<const CatalogueEntry*>& entries) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "catalogue" << YAML::Value << YAML::BeginSeq;
  for (const CatalogueEntry* entry : entries) {
    out << YAML::BeginMap << YAML::Key << "group" << YAML::Value << entry->group << YAML::Key << "subgroup"
        << YAML::Value << entry->subgroup;
    const auto list = [&](const char* key, const std::vector<std::string>& items) {
      if (items.empty()) return;
      out << YAML::Key << key << YAML::Value << YAML::Flow << items;
    };
    list("comm", entry->comm);
    list("exe", entry->exe);
    std::vector<std::string> patterns;
    for (const auto& regex : entry->cmdline) patterns.push_back(regex->pattern());
    list("cmdline", patterns);
    if (!entry->example.empty()) out << YAML::Key << "example" << YAML::Value << entry->example;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace

Result<CatalogueFormat> parse_catalogue_format(std::string_view text) {
  if (text == "table") return CatalogueFormat::kTable;
  if (text == "yaml") return CatalogueFormat::kYaml;
  return Error{"unknown format \"" + std::string(text) + "\" (expected table or yaml)", "--format"};
}

Result<std::string> catalogue_listing(const Catalogue& catalogue, CatalogueFormat format, const std::string& group) {
  std::vector<const CatalogueEntry*> entries;
  for (const CatalogueEntry& entry : catalogue.entries())
    if (group.empty() || entry.group == group) entries.push_back(&entry);
  if (entries.empty()) {
    return Error{"unknown group \"" + group + "\" (groups: " + joined(catalogue.groups()) + ")", "--group"};
  }
  return format == CatalogueFormat::kTable ? table(entries) : yaml(entries);
}

}  // namespace bpfproc
