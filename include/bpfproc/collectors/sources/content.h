#pragma once
// Content types of custom metric sources: how a value is found in what a source read. Free text
// takes an RE2 pattern, JSON a JSON Pointer (RFC 6901), XML an XPath (pugixml); each metric's
// expression is checked when the config is loaded. A Prometheus exposition is imported whole.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/collectors/sources/source_config.h"
#include "bpfproc/snapshot/host_metrics.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

class Content {
 public:
  virtual ~Content() = default;
  // Checks and keeps one metric's expression (the values come back in the order of the calls).
  // The error says why it does not parse.
  virtual Status add_expression(const std::string& expression) = 0;
  // One value per expression, nullopt where the body has none or it is not a number. Fails when
  // the body itself does not parse (JSON, XML).
  virtual Result<std::vector<std::optional<double>>> values(std::string_view body) const = 0;
};

// For kText, kJson and kXml.
std::unique_ptr<Content> text_content();
std::unique_ptr<Content> json_content();
std::unique_ptr<Content> xml_content();
std::unique_ptr<Content> make_content(ContentType type);

// A number as text: what the expressions find ("42", " 3.5e3 ", "NaN", "+Inf"), nullopt otherwise.
std::optional<double> parse_number(std::string_view text);

// A Prometheus text exposition, its family names prefixed with `prefix`. Malformed sample lines
// are left out and counted in `malformed`.
std::vector<HostFamily> import_prometheus_text(std::string_view body, const std::string& prefix, std::size_t& malformed);

}  // namespace bpfproc
