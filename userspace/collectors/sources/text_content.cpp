// Free-text content: each metric's value is what its RE2 pattern captures (its first group, or
// the whole match without one) at the first place it matches.
#include <re2/re2.h>

#include "bpfproc/collectors/sources/content.h"

namespace bpfproc {
namespace {

class TextContent : public Content {
 public:
  Status add_expression(const std::string& expression) override {
    RE2::Options options;
    options.set_log_errors(false);  // the error goes into the config's one-line message
    auto pattern = std::make_unique<RE2>(expression, options);
    if (!pattern->ok()) return Error{"invalid pattern \"" + expression + "\": " + pattern->error(), ""};
    if (pattern->NumberOfCapturingGroups() > 1)
      return Error{"pattern \"" + expression + "\" has more than one capture group (the value is the first)", ""};
    patterns_.push_back(std::move(pattern));
    return Ok{};
  }

  Result<std::vector<std::optional<double>>> values(std::string_view body) const override {
    std::vector<std::optional<double>> found;
    for (const auto& pattern : patterns_) {
      re2::StringPiece match[2];
      const int groups = 1 + pattern->NumberOfCapturingGroups();
      if (!pattern->Match(body, 0, body.size(), RE2::UNANCHORED, match, groups)) {
        found.emplace_back();
        continue;
      }
      const re2::StringPiece value = match[groups - 1];
      found.push_back(parse_number(std::string_view(value.data(), value.size())));
    }
    return found;
  }

 private:
  std::vector<std::unique_ptr<RE2>> patterns_;
};

}  // namespace

std::unique_ptr<Content> text_content() { return std::make_unique<TextContent>(); }

}  // namespace bpfproc
