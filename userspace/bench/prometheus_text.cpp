#include "bpfproc/bench/prometheus_text.h"

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
