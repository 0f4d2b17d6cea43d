#include "bpfproc/util/prometheus_text.h"

#include <cstdlib>

namespace bpfproc {
namespace {

bool is_name_character(char character) {
  return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
         (character >= '0' && character <= '9') || character == '_' || character == ':';
}

// Parses `{name="value",...}` at the start of `rest`, which then points past the closing brace.
bool parse_labels(std::string_view& rest, std::map<std::string, std::string>& labels) {
  rest.remove_prefix(1);  // '{'
  for (;;) {
    if (rest.empty()) return false;
    if (rest.front() == '}') {
      rest.remove_prefix(1);
      return true;
    }
    std::size_t name_end = 0;
    while (name_end < rest.size() && is_name_character(rest[name_end])) ++name_end;
    if (name_end == 0 || rest.substr(name_end, 2) != "=\"") return false;
    std::string name(rest.substr(0, name_end));
    rest.remove_prefix(name_end + 2);
    std::string value;
    for (;;) {
      if (rest.empty()) return false;
      const char character = rest.front();
      rest.remove_prefix(1);
      if (character == '"') break;
      if (character != '\\') {
        value += character;
        continue;
      }
      if (rest.empty()) return false;
      const char escaped = rest.front();
      rest.remove_prefix(1);
      value += escaped == 'n' ? '\n' : escaped;  // \\ and \" stand for themselves
    }
    labels.emplace(std::move(name), std::move(value));
    if (!rest.empty() && rest.front() == ',') rest.remove_prefix(1);
  }
}

std::optional<Sample> parse_line(std::string_view line) {
  Sample sample;
  std::size_t name_end = 0;
  while (name_end < line.size() && is_name_character(line[name_end])) ++name_end;
  if (name_end == 0) return std::nullopt;
  sample.name = std::string(line.substr(0, name_end));
  std::string_view rest = line.substr(name_end);
  if (!rest.empty() && rest.front() == '{' && !parse_labels(rest, sample.labels)) return std::nullopt;
  if (rest.empty() || rest.front() != ' ') return std::nullopt;
  rest.remove_prefix(1);
  // The value ends at the optional timestamp. strtod reads "NaN", "+Inf" and "-Inf" too.
  const std::string value(rest.substr(0, rest.find(' ')));
  char* end = nullptr;
  sample.value = std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size()) return std::nullopt;
  return sample;
}

}  // namespace

std::vector<Sample> parse_prometheus_text(std::string_view text) {
  std::vector<Sample> samples;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty() || line.front() == '#') continue;
    if (auto sample = parse_line(line)) samples.push_back(std::move(*sample));
  }
  return samples;
}

namespace {

// The word after "# TYPE " or "# HELP " and what follows it, or false for another comment.
bool parse_descriptor(std::string_view line, std::string_view keyword, std::string& name, std::string& rest) {
  if (!line.starts_with(keyword)) return false;
  line.remove_prefix(keyword.size());
  const auto space = line.find(' ');
  name = std::string(line.substr(0, space));
  rest = space == std::string_view::npos ? std::string() : std::string(line.substr(space + 1));
  return !name.empty();
}

bool belongs_to(std::string_view sample_name, const SampleFamily& family) {
  if (!sample_name.starts_with(family.name)) return false;
  const std::string_view suffix = sample_name.substr(family.name.size());
  return suffix.empty() || suffix == "_bucket" || suffix == "_sum" || suffix == "_count" || suffix == "_total";
}

}  // namespace

ParsedFamilies parse_prometheus_families(std::string_view text) {
  ParsedFamilies parsed;
  std::map<std::string, std::size_t, std::less<>> index;  // family name -> position
  auto family_named = [&](const std::string& name) -> SampleFamily& {
    auto [position, added] = index.emplace(name, parsed.families.size());
    if (added) parsed.families.push_back(SampleFamily{name, "untyped", "", {}});
    return parsed.families[position->second];
  };
  std::optional<std::size_t> typed;  // the family of the last TYPE line
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty()) continue;
    std::string name, rest;
    if (parse_descriptor(line, "# TYPE ", name, rest)) {
      family_named(name).type = rest;
      typed = index.find(name)->second;
    } else if (parse_descriptor(line, "# HELP ", name, rest)) {
      // HELP escapes \\ and \n; kept unescaped, as a writer escapes it again.
      std::string help;
      for (std::size_t position = 0; position < rest.size(); ++position) {
        if (rest[position] == '\\' && position + 1 < rest.size()) {
          ++position;
          help += rest[position] == 'n' ? '\n' : rest[position];
        } else {
          help += rest[position];
        }
      }
      family_named(name).help = std::move(help);
    } else if (line.front() != '#') {
      auto sample = parse_line(line);
      if (!sample) {
        ++parsed.malformed_lines;
        continue;
      }
      SampleFamily& family = typed && belongs_to(sample->name, parsed.families[*typed]) ? parsed.families[*typed]
                                                                                          : family_named(sample->name);
      family.samples.push_back(std::move(*sample));
    }
  }
  return parsed;
}

std::optional<double> sum_samples(const std::vector<Sample>& samples, std::string_view name,
                                  const std::map<std::string, std::string>& labels) {
  std::optional<double> total;
  for (const Sample& sample : samples) {
    if (sample.name != name) continue;
    bool matches = true;
    for (const auto& [label, value] : labels) {
      const auto found = sample.labels.find(label);
      if (found == sample.labels.end() || found->second != value) {
        matches = false;
        break;
      }
    }
    if (matches) total = total.value_or(0) + sample.value;
  }
  return total;
}

}  // namespace bpfproc
