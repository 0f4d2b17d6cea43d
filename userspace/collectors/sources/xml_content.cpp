// XML content: each metric's value is what its XPath gives (pugixml): a number expression
// ("count(//job)"), or the text of the first node or attribute it selects.
#include <pugixml.hpp>

#include "bpfproc/collectors/sources/content.h"

namespace bpfproc {
namespace {

class XmlContent : public Content {
 public:
  Status add_expression(const std::string& expression) override {
    // Debian builds pugixml with exceptions: a query that does not parse throws.
    try {
      queries_.push_back(std::make_unique<pugi::xpath_query>(expression.c_str()));
    } catch (const pugi::xpath_exception& error) {
      return Error{"invalid XPath \"" + expression + "\": " + error.result().description(), ""};
    }
    return Ok{};
  }

  Result<std::vector<std::optional<double>>> values(std::string_view body) const override {
    pugi::xml_document document;
    const pugi::xml_parse_result parsed = document.load_buffer(body.data(), body.size());
    if (!parsed) return Error{std::string("not valid XML: ") + parsed.description(), ""};
    std::vector<std::optional<double>> found;
    for (const auto& query : queries_) {
      switch (query->return_type()) {
        case pugi::xpath_type_number: found.emplace_back(query->evaluate_number(document)); break;
        case pugi::xpath_type_boolean: found.emplace_back(query->evaluate_boolean(document) ? 1.0 : 0.0); break;
        case pugi::xpath_type_string: found.push_back(parse_number(query->evaluate_string(document))); break;
        default: {
          const pugi::xpath_node_set nodes = query->evaluate_node_set(document);
          if (nodes.empty()) {
            found.emplace_back();
            break;
          }
          const pugi::xpath_node first = nodes.first();
          found.push_back(parse_number(first.attribute() ? first.attribute().value() : first.node().text().get()));
        }
      }
    }
    return found;
  }

 private:
  std::vector<std::unique_ptr<pugi::xpath_query>> queries_;
};

}  // namespace

std::unique_ptr<Content> xml_content() { return std::make_unique<XmlContent>(); }

}  // namespace bpfproc
