// JSON content: each metric's value is at a JSON Pointer (RFC 6901, "/queues/0/depth"), a number,
// a boolean (1 or 0) or a string holding a number.
#include <nlohmann/json.hpp>

#include "bpfproc/collectors/sources/content.h"

namespace bpfproc {
namespace {

class JsonContent : public Content {
 public:
  Status add_expression(const std::string& expression) override {
    try {
      pointers_.emplace_back(expression);
    } catch (const nlohmann::json::exception& error) {
      return Error{"invalid JSON Pointer \"" + expression + "\" (RFC 6901, e.g. /a/0/b): " + error.what(), ""};
    }
    return Ok{};
  }

  Result<std::vector<std::optional<double>>> values(std::string_view body) const override {
    const nlohmann::json document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) return Error{"not valid JSON", ""};
    std::vector<std::optional<double>> found;
    for (const nlohmann::json::json_pointer& pointer : pointers_) {
      if (!document.contains(pointer)) {
        found.emplace_back();
        continue;
      }
      const nlohmann::json& value = document.at(pointer);
      if (value.is_number()) found.emplace_back(value.get<double>());
      else if (value.is_boolean()) found.emplace_back(value.get<bool>() ? 1.0 : 0.0);
      else if (value.is_string()) found.push_back(parse_number(value.get_ref<const std::string&>()));
      else found.emplace_back();
    }
    return found;
  }

 private:
  std::vector<nlohmann::json::json_pointer> pointers_;
};

}  // namespace

std::unique_ptr<Content> json_content() { return std::make_unique<JsonContent>(); }

}  // namespace bpfproc
