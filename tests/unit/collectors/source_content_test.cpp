// Content types of custom metric sources on tests/fixtures/sources: text (RE2), JSON (JSON
// Pointer), XML (XPath) and a Prometheus exposition imported whole; expressions that do not
// parse are refused when added.
#include <gtest/gtest.h>

#include "bpfproc/collectors/sources/content.h"
#include "bpfproc/util/whole_file.h"

namespace bpfproc {
namespace {

std::string fixture(const std::string& name) {
  auto text = read_whole_file(std::string(BPFPROC_FIXTURES_DIR) + "/sources/" + name);
  EXPECT_TRUE(text) << name;
  return text ? *text : "";
}

std::vector<std::optional<double>> values_of(std::unique_ptr<Content> content, const std::vector<std::string>& expressions,
                                             const std::string& body) {
  for (const std::string& expression : expressions) {
    const Status added = content->add_expression(expression);
    EXPECT_TRUE(added) << expression << ": " << (added ? "" : added.error().message());
  }
  auto values = content->values(body);
  EXPECT_TRUE(values) << (values ? "" : values.error().message());
  return values ? *values : std::vector<std::optional<double>>{};
}

TEST(SourceContent, TextTakesTheFirstCaptureOrTheWholeMatch) {
  const auto values = values_of(text_content(), {R"(queue depth: (\d+))", R"(idle=(\d+))", R"(took ([0-9.]+) sec)",
                                                 R"(\d+\.\d+)", R"(missing (\d+))", R"(queue (depth))"},
                                fixture("status.txt"));
  ASSERT_EQ(values.size(), 6u);
  EXPECT_EQ(values[0], 17);
  EXPECT_EQ(values[1], 5);
  EXPECT_EQ(values[2], 2.5);
  EXPECT_EQ(values[3], 2.5);  // no group: the whole match
  EXPECT_FALSE(values[4]);    // no match
  EXPECT_FALSE(values[5]);    // a match that is not a number
}

TEST(SourceContent, TextRefusesBadPatterns) {
  auto content = text_content();
  const Status bad = content->add_expression("depth: (\\d+");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("invalid pattern"), std::string::npos) << bad.error().message();
  EXPECT_FALSE(content->add_expression("(a)(b)"));  // which group would be the value?
}

TEST(SourceContent, JsonFollowsPointers) {
  const auto values = values_of(json_content(), {"/queues/0/depth", "/queues/1/depth", "/uptime", "/healthy",
                                                 "/a~1b/c~0d", "/queues/5/depth", "/queues/0/name", ""},
                                fixture("status.json"));
  ASSERT_EQ(values.size(), 8u);
  EXPECT_EQ(values[0], 42);
  EXPECT_EQ(values[1], 7);
  EXPECT_EQ(values[2], 3600.5);  // a string holding a number
  EXPECT_EQ(values[3], 1);       // true
  EXPECT_EQ(values[4], 9);       // RFC 6901 escapes
  EXPECT_FALSE(values[5]);       // no such element
  EXPECT_FALSE(values[6]);       // not a number
  EXPECT_FALSE(values[7]);       // the whole document, an object
}

TEST(SourceContent, JsonRefusesBadPointersAndBadDocuments) {
  auto content = json_content();
  EXPECT_FALSE(content->add_expression("queues/0"));  // must start with /
  EXPECT_FALSE(content->add_expression("/a~2"));      // ~ must be ~0 or ~1
  ASSERT_TRUE(content->add_expression("/a"));
  EXPECT_FALSE(content->values("{\"a\": "));
}

TEST(SourceContent, XmlEvaluatesXPath) {
  const auto values = values_of(xml_content(), {"/status/pool/@active", "count(//job)", "/status/memory",
                                                "//memory/@unit", "/status/nothing", "count(//job) > 2"},
                                fixture("status.xml"));
  ASSERT_EQ(values.size(), 6u);
  EXPECT_EQ(values[0], 4);
  EXPECT_EQ(values[1], 3);
  EXPECT_EQ(values[2], 1048576);
  EXPECT_FALSE(values[3]);  // "bytes"
  EXPECT_FALSE(values[4]);
  EXPECT_EQ(values[5], 1);
}

TEST(SourceContent, XmlRefusesBadXPathAndBadDocuments) {
  auto content = xml_content();
  const Status bad = content->add_expression("//pool[");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("invalid XPath"), std::string::npos) << bad.error().message();
  ASSERT_TRUE(content->add_expression("count(//a)"));
  EXPECT_FALSE(content->values("<status><unclosed></status>"));
}

TEST(SourceContent, PrometheusIsImportedWholeWithAPrefix) {
  std::size_t malformed = 0;
  const auto families = import_prometheus_text(fixture("metrics.prom"), "svc_", malformed);
  EXPECT_EQ(malformed, 1u);
  ASSERT_EQ(families.size(), 4u);
  EXPECT_EQ(families[0].name, "svc_app_requests_total");
  EXPECT_EQ(families[0].type, HostFamily::Type::kCounter);
  EXPECT_EQ(families[0].help, "Requests served.");
  ASSERT_EQ(families[0].samples.size(), 2u);
  EXPECT_EQ(families[0].samples[1].value, 3);
  const std::vector<std::pair<std::string, std::string>> labels{{"code", "500"}, {"path", "/a"}};
  EXPECT_EQ(families[0].samples[1].labels, labels);
  EXPECT_EQ(families[1].name, "svc_app_latency_seconds");
  EXPECT_EQ(families[1].type, HostFamily::Type::kHistogram);
  ASSERT_EQ(families[1].samples.size(), 4u);
  EXPECT_EQ(families[1].samples[0].suffix, "_bucket");
  EXPECT_EQ(families[1].samples[3].suffix, "_count");
  EXPECT_EQ(families[1].samples[3].value, 123);
  EXPECT_EQ(families[2].name, "svc_app_temperature");
  EXPECT_EQ(families[2].type, HostFamily::Type::kGauge);
  EXPECT_EQ(families[3].name, "svc_app_untyped_thing");
  EXPECT_EQ(families[3].type, HostFamily::Type::kUntyped);
}

TEST(SourceContent, NumbersAreWholeFields) {
  EXPECT_EQ(parse_number(" 42\n"), 42);
  EXPECT_EQ(parse_number("-1.5e3"), -1500);
  EXPECT_FALSE(parse_number("42 apples"));
  EXPECT_FALSE(parse_number(""));
}

}  // namespace
}  // namespace bpfproc
