#include "bpfproc/push/remote_write_options.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

// A root without identity files: the hostname is the identity.
constexpr const char* kEmptyRoot = "/nonexistent-bpfproc-root";

TEST(RemoteWriteOptions, RefusesUrlsThatAreNotHttp) {
  for (const char* url : {"ftp://host/write", "host:9090/api/v1/write", "file:///tmp/x", "http://", "http:///x", ""}) {
    RemoteWriteFlags flags;
    flags.urls = {url};
    auto options = remote_write_options(flags, kEmptyRoot, "h");
    ASSERT_FALSE(options) << url;
    EXPECT_NE(options.error().message().find("--remote-write.url"), std::string::npos);
  }
  RemoteWriteFlags flags;
  flags.urls = {"http://127.0.0.1:9090/api/v1/write", "https://mimir.example/api/v1/push"};
  auto options = remote_write_options(flags, kEmptyRoot, "h");
  ASSERT_TRUE(options) << options.error().message();
  EXPECT_EQ(options->receivers.size(), 2u);
}

TEST(RemoteWriteOptions, ParsesLabelsHeadersAndTheQueueSize) {
  RemoteWriteFlags flags;
  flags.urls = {"http://127.0.0.1:9090/api/v1/write"};
  flags.labels = {"zone=b", "datacenter=eu-1"};
  flags.headers = {"X-Scope-OrgID: team-a"};
  auto options = remote_write_options(flags, kEmptyRoot, "build-17");
  ASSERT_TRUE(options) << options.error().message();
  EXPECT_EQ(options->external_labels, (SeriesLabels{{"datacenter", "eu-1"}, {"instance", "build-17"}, {"zone", "b"}}));
  EXPECT_EQ(options->receivers[0].headers, (std::vector<std::pair<std::string, std::string>>{{"X-Scope-OrgID", "team-a"}}));
  // 15 minutes of 15 s pushes.
  EXPECT_EQ(options->queue_batches(), 60u);
}

TEST(RemoteWriteOptions, InstanceLabelReplacesTheHostIdentity) {
  RemoteWriteFlags flags;
  flags.labels = {"instance=web-3"};
  auto options = remote_write_options(flags, kEmptyRoot, "build-17");
  ASSERT_TRUE(options);
  EXPECT_EQ(options->external_labels, (SeriesLabels{{"instance", "web-3"}}));
}

TEST(RemoteWriteOptions, RefusesBadLabelsAndHeaders) {
  for (const char* label : {"novalue", "=x", "1abc=x", "__name__=x", "a-b=x"}) {
    RemoteWriteFlags flags;
    flags.labels = {label};
    EXPECT_FALSE(remote_write_options(flags, kEmptyRoot, "h")) << label;
  }
  RemoteWriteFlags twice;
  twice.labels = {"a=1", "a=2"};
  EXPECT_FALSE(remote_write_options(twice, kEmptyRoot, "h"));
  for (const char* header : {"NoColon", ": value", "Bad Name: x"}) {
    RemoteWriteFlags flags;
    flags.headers = {header};
    EXPECT_FALSE(remote_write_options(flags, kEmptyRoot, "h")) << header;
  }
  RemoteWriteFlags interval;
  interval.interval = "0s";
  EXPECT_FALSE(remote_write_options(interval, kEmptyRoot, "h"));
}

}  // namespace
}  // namespace bpfproc
