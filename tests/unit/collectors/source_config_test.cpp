// The config file's sources: section: one source of each type and content parses; every bad
// entry is one "file:line: reason" error; intervals round up to collection intervals and never
// go below their parent's; a config that runs commands must be root's and not writable by others.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bpfproc/collectors/sources/source_config.h"

namespace bpfproc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kValid = R"(process_names:
  - comm: [bash]
sources:
  - service: web
    interval: 10s
    sources:
      - name: status
        type: http
        url: http://127.0.0.1:8080/status
        content: json
        timeout: 2s
        max_age: 1m
        metrics:
          - name: web_queue_depth
            json_pointer: /queues/0/depth
            labels: {queue: mail}
            value_on_error: -1
      - name: log
        type: file
        path: /var/log/app.status
        content: text
        interval: 65s
        metrics:
          - name: web_workers_idle
            pattern: 'idle=(\d+)'
      - name: pool
        type: command
        command: [/usr/bin/cat, /etc/app/status.xml]
        run_as: {user: nobody}
        content: xml
        output_limit: 4096
        metrics:
          - name: web_pool_active
            type: counter
            xpath: /status/pool/@active
      - name: exporter
        type: http
        url: http://localhost:9100/metrics
        content: prometheus
        prefix: app_
  - service: build
    sources:
      - name: facts
        type: static
        metrics:
          - name: build_slots
            value: 8
)";

TEST(SourceConfig, OneOfEachTypeAndContent) {
  auto config = parse_sources(kValid, "bpfproc.yml", seconds(5));
  ASSERT_TRUE(config) << config.error().message();
  ASSERT_EQ(config->sources.size(), 5u);
  const SourceDefinition& status = config->sources[0];
  EXPECT_EQ(status.service, "web");
  EXPECT_EQ(status.type, SourceType::kHttp);
  EXPECT_EQ(status.content, ContentType::kJson);
  EXPECT_EQ(status.interval, seconds(10));  // the service's
  EXPECT_EQ(status.timeout, seconds(2));
  EXPECT_EQ(status.max_age, seconds(60));
  EXPECT_EQ(status.line, 7);
  ASSERT_EQ(status.metrics.size(), 1u);
  const std::vector<std::pair<std::string, std::string>> labels{{"service", "web"}, {"queue", "mail"}};
  EXPECT_EQ(status.metrics[0].labels, labels);
  EXPECT_EQ(status.metrics[0].value_on_error, -1);
  EXPECT_EQ(config->sources[1].interval, seconds(65));
  const SourceDefinition& pool = config->sources[2];
  EXPECT_EQ(pool.command, (std::vector<std::string>{"/usr/bin/cat", "/etc/app/status.xml"}));
  ASSERT_TRUE(pool.run_as);
  EXPECT_NE(pool.run_as->uid, 0u);
  EXPECT_EQ(pool.output_limit, 4096u);
  EXPECT_EQ(pool.metrics[0].type, HostFamily::Type::kCounter);
  EXPECT_EQ(config->sources[3].prefix, "app_");
  EXPECT_TRUE(config->sources[3].metrics.empty());
  EXPECT_EQ(config->sources[4].interval, seconds(5));  // no service interval: the collection's
  EXPECT_EQ(config->sources[4].metrics[0].static_value, 8);
  EXPECT_TRUE(config->has_commands());
  EXPECT_TRUE(config->has_run_as());
}

TEST(SourceConfig, NoSourcesIsEmpty) {
  auto config = parse_sources("process_names:\n  - comm: [bash]\n", "bpfproc.yml", seconds(5));
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_TRUE(config->sources.empty());
  EXPECT_FALSE(config->has_commands());
}

TEST(SourceConfig, IntervalsRoundUpToCollectionIntervals) {
  EXPECT_EQ(effective_interval(seconds(65), seconds(5)), seconds(65));
  EXPECT_EQ(effective_interval(seconds(62), seconds(5)), seconds(65));
  EXPECT_EQ(effective_interval(seconds(15), seconds(15)), seconds(15));
  EXPECT_EQ(effective_interval(milliseconds(15001), seconds(15)), seconds(30));
  EXPECT_EQ(effective_interval(seconds(1), seconds(15)), seconds(15));  // never below one
}

// The error that `yaml` gets, as the daemon prints it.
std::string error_of(const std::string& yaml, milliseconds base = seconds(5)) {
  auto config = parse_sources(yaml, "bpfproc.yml", base);
  return config ? "(no error)" : config.error().message();
}

std::string one_source(const std::string& source_lines) {
  return "sources:\n  - service: svc\n    sources:\n      - name: s\n" + source_lines;
}

TEST(SourceConfig, BadEntriesNameFileLineAndReason) {
  EXPECT_EQ(error_of("sources: {a: 1}\n"), "bpfproc.yml:1: sources must be a list of services");
  EXPECT_EQ(error_of("sources:\n  - service: svc\n    sources:\n      - name: s\n        type: ftp\n"),
            "bpfproc.yml:5: unknown source type \"ftp\" (expected command, file, http or static)");
  EXPECT_EQ(error_of(one_source("        type: file\n        path: /x\n        content: yaml\n"
                                "        metrics: [{name: m, pattern: x}]\n")),
            "bpfproc.yml:7: unknown content type \"yaml\" (expected text, json, xml or prometheus)");
  EXPECT_EQ(error_of(one_source("        type: file\n        path: /x\n        content: json\n"
                                "        metrics:\n          - name: m\n            json_pointer: a/b\n")),
            "bpfproc.yml:10: invalid JSON Pointer \"a/b\" (RFC 6901, e.g. /a/0/b): [json.exception.parse_error.107] "
            "parse error at byte 1: JSON pointer must be empty or begin with '/' - was: 'a/b'");
  const std::string xpath = error_of(one_source("        type: file\n        path: /x\n        content: xml\n"
                                                "        metrics:\n          - name: m\n            xpath: '//a['\n"));
  EXPECT_TRUE(xpath.starts_with("bpfproc.yml:10: invalid XPath \"//a[\": ")) << xpath;
  EXPECT_EQ(error_of(one_source("        type: file\n        path: /x\n        content: text\n"
                                "        metrics:\n          - name: m\n            json_pointer: /a\n")),
            "bpfproc.yml:10: unknown key \"json_pointer\" in a metric (expected help, labels, name, pattern, type, "
            "value_on_error)");
  EXPECT_EQ(error_of(one_source("        type: command\n        command: [sh, -c, 'echo 1']\n        content: text\n"
                                "        metrics: [{name: m, pattern: x}]\n")),
            "bpfproc.yml:6: command \"sh\": the program must be an absolute path (it is run without a shell or PATH "
            "search)");
  EXPECT_EQ(error_of(one_source("        type: command\n        command: [/bin/true]\n        run_as: {user: root}\n"
                                "        content: text\n        metrics: [{name: m, pattern: x}]\n")),
            "bpfproc.yml:7: run_as: a command is never run as root (user or group 0); leave run_as out for that");
  EXPECT_EQ(error_of(one_source("        type: http\n        url: http://example.com/\n        content: text\n"
                                "        metrics: [{name: m, pattern: x}]\n")),
            "bpfproc.yml:6: url \"http://example.com/\": must be http:// on a loopback host (127.0.0.1, [::1], localhost)");
  EXPECT_EQ(error_of(one_source("        type: static\n        metrics: [{name: bpfproc_x, value: 1}]\n")),
            "bpfproc.yml:6: \"bpfproc_x\": names starting with bpfproc_ are bpfproc's own");
  EXPECT_EQ(error_of(one_source("        type: static\n        metrics:\n          - {name: m, value: 1}\n"
                                "          - {name: m, value: 2}\n")),
            "bpfproc.yml:8: metric m with these labels is declared twice");
  EXPECT_EQ(error_of(one_source("        type: static\n        metrics: [{name: m}]\n")),
            "bpfproc.yml:6: a static metric needs a value");
}

TEST(SourceConfig, IntervalsNeverBelowTheirParents) {
  EXPECT_EQ(error_of("sources:\n  - service: svc\n    interval: 2s\n    sources:\n      - name: s\n"
                     "        type: static\n        metrics: [{name: m, value: 1}]\n"),
            "bpfproc.yml:3: service svc: interval 2s is below the collection interval (--collection.interval, 5000 ms)");
  EXPECT_EQ(error_of("sources:\n  - service: svc\n    interval: 30s\n    sources:\n      - name: s\n"
                     "        type: static\n        interval: 20s\n        metrics: [{name: m, value: 1}]\n"),
            "bpfproc.yml:7: source s: interval 20s is below its service's (30000 ms)");
  EXPECT_EQ(error_of("sources:\n  - service: svc\n    sources:\n      - name: s\n"
                     "        type: static\n        interval: 20s\n        metrics: [{name: m, value: 1}]\n",
                     seconds(30)),
            "bpfproc.yml:6: source s: interval 20s is below its service's (30000 ms)");
}

class ConfigOwner : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("bpfproc-owner-" + std::to_string(getpid()) + ".yml");
    std::ofstream(path_) << kValid;
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(ConfigOwner, CommandsNeedARootFileNoOneElseCanWrite) {
  if (geteuid() != 0) {
    // Only root can give a file to root: check the refusal a non-root owner gets.
    const Status refused = check_command_config_owner(path_);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("must be owned by root"), std::string::npos);
    return;
  }
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  EXPECT_TRUE(check_command_config_owner(path_));
  ASSERT_EQ(chmod(path_.c_str(), 0664), 0);
  const Status group_writable = check_command_config_owner(path_);
  ASSERT_FALSE(group_writable);
  EXPECT_NE(group_writable.error().message().find("must not be writable by group or others"), std::string::npos);
  ASSERT_EQ(chmod(path_.c_str(), 0646), 0);
  EXPECT_FALSE(check_command_config_owner(path_));
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  ASSERT_EQ(chown(path_.c_str(), 65534, 65534), 0);
  const Status not_root = check_command_config_owner(path_);
  ASSERT_FALSE(not_root);
  EXPECT_NE(not_root.error().message().find("must be owned by root (owner uid 65534)"), std::string::npos);
}

}  // namespace
}  // namespace bpfproc
