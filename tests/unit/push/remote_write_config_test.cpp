#include "bpfproc/push/remote_write_config.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

constexpr const char* kDocument = R"(process_names: [{name: "{{.Comm}}", cmdline: [".+"]}]
remote_write:
  url: [http://prometheus:9090/api/v1/write, https://mimir/api/v1/push]
  interval: 5s
  basic_auth: {username: bpfproc, password_file: /etc/bpfproc/password}
  tls_config: {ca_file: /etc/ca.pem}
  headers: {X-Scope-OrgID: farm}
  external_labels: {datacenter: eu-1}
)";

TEST(RemoteWriteConfig, FillsWhatTheFlagsLeaveAtTheirDefaults) {
  RemoteWriteFlags flags;
  ASSERT_TRUE(apply_remote_write_config(kDocument, "bpfproc.yml", flags));
  EXPECT_EQ(flags.urls, (std::vector<std::string>{"http://prometheus:9090/api/v1/write", "https://mimir/api/v1/push"}));
  EXPECT_EQ(flags.interval, "5s");
  EXPECT_EQ(flags.queue_duration, "15m");
  EXPECT_EQ(flags.basic_auth_username, "bpfproc");
  EXPECT_EQ(flags.basic_auth_password_file, "/etc/bpfproc/password");
  EXPECT_EQ(flags.tls_ca_file, "/etc/ca.pem");
  EXPECT_EQ(flags.headers, std::vector<std::string>{"X-Scope-OrgID: farm"});
  EXPECT_EQ(flags.labels, std::vector<std::string>{"datacenter=eu-1"});
  // And the result is what the flags would give.
  auto options = remote_write_options(flags, "/nonexistent-root", "h");
  ASSERT_TRUE(options) << options.error().message();
  EXPECT_EQ(options->receivers.size(), 2u);
  EXPECT_EQ(options->interval, std::chrono::seconds(5));
}

TEST(RemoteWriteConfig, FlagsWin) {
  RemoteWriteFlags flags;
  flags.urls = {"http://other/api/v1/write"};
  flags.interval = "30s";
  flags.labels = {"zone=b"};
  ASSERT_TRUE(apply_remote_write_config(kDocument, "bpfproc.yml", flags));
  EXPECT_EQ(flags.urls, std::vector<std::string>{"http://other/api/v1/write"});
  EXPECT_EQ(flags.interval, "30s");
  EXPECT_EQ(flags.labels, std::vector<std::string>{"zone=b"});
}

TEST(RemoteWriteConfig, RefusesUnknownKeysWithTheirLine) {
  RemoteWriteFlags flags;
  auto status = apply_remote_write_config("process_names: []\nremote_write:\n  url: http://x/w\n  intervall: 5s\n",
                                          "bpfproc.yml", flags);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message(), "bpfproc.yml:4: unknown key \"intervall\" in remote_write");
  status = apply_remote_write_config("remote_write: [http://x/w]\n", "bpfproc.yml", flags);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message(), "bpfproc.yml:1: remote_write must be a map");
}

TEST(RemoteWriteConfig, NoSectionChangesNothing) {
  RemoteWriteFlags flags;
  ASSERT_TRUE(apply_remote_write_config("process_names: []\n", "bpfproc.yml", flags));
  EXPECT_TRUE(flags.urls.empty());
}

}  // namespace
}  // namespace bpfproc
