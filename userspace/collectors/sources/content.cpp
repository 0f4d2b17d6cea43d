// What the content types share: the factory and the reading of numbers.
#include "bpfproc/collectors/sources/content.h"

#include <cctype>
#include <cstdlib>

namespace bpfproc {

std::unique_ptr<Content> make_content(ContentType type) {
  switch (type) {
    case ContentType::kJson: return json_content();
    case ContentType::kXml: return xml_content();
    case ContentType::kText:
    case ContentType::kPrometheus: break;
  }
  return text_content();
}

std::optional<double> parse_number(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  const std::string copy(text);  // strtod needs a terminated string
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

}  // namespace bpfproc
