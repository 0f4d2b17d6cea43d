// TlsContext: the certificate and key load, or fail with one line naming the file; a running
// server takes a new pair through reconfigure() and keeps the old one when the new is unusable.
#include "bpfproc/web/tls_context.h"

#include <gtest/gtest.h>

#include "bpfproc/snapshot/snapshot_publisher.h"
#include "bpfproc/web/web_server.h"

namespace bpfproc {
namespace {

const std::string kDir = BPFPROC_FIXTURES_DIR "/tls/";

TlsConfig pair(const std::string& certificate, const std::string& key) {
  TlsConfig tls;
  tls.cert_file = kDir + certificate;
  tls.key_file = kDir + key;
  return tls;
}

TEST(TlsContext, LoadsAMatchingPair) {
  auto context = TlsContext::load(pair("a.pem", "a.key"));
  ASSERT_TRUE(context.ok()) << context.error().message();
  EXPECT_NE((*context)->certificate_pem().find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ((*context)->priority(), "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE");
}

TEST(TlsContext, ErrorsNameTheFileAndTheReason) {
  const auto error_of = [](const TlsConfig& tls) { return TlsContext::load(tls).error().message(); };
  EXPECT_EQ(error_of(pair("a.pem", "b.key")), kDir + "b.key: the key does not match the certificate in " + kDir + "a.pem");
  EXPECT_EQ(error_of(pair("absent.pem", "a.key")), kDir + "absent.pem: cannot read: No such file or directory");
  EXPECT_EQ(error_of(pair("a.pem", "")), kDir + ": cannot read: Is a directory");
  EXPECT_EQ(error_of(pair("a.key", "a.key")).rfind(kDir + "a.key: no PEM certificate in the file", 0), 0u);
  EXPECT_EQ(error_of(pair("a.pem", "a.pem")).rfind(kDir + "a.pem: no unencrypted PEM private key in the file", 0), 0u);
  TlsConfig with_ca = pair("a.pem", "a.key");
  with_ca.client_auth = ClientAuth::kRequireAndVerifyClientCert;
  with_ca.client_ca_file = kDir + "a.key";
  EXPECT_EQ(error_of(with_ca).rfind(kDir + "a.key: no CA certificate in the file", 0), 0u) << error_of(with_ca);
  with_ca.client_ca_file = kDir + "b.pem";
  EXPECT_TRUE(TlsContext::load(with_ca).ok());
}

TEST(TlsContext, ReconfigureSwapsThePairOnlyWhenTheNewOneIsUsable) {
  SnapshotPublisher publisher([] { return std::make_shared<ExporterSnapshot>(); }, {});
  WebOptions options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.config.tls = pair("a.pem", "a.key");
  auto server = WebServer::start(options, std::make_shared<ScrapeSource>(publisher), [] { return std::string("{}"); });
  ASSERT_TRUE(server.ok()) << server.error().message();

  WebConfig next;
  next.tls = pair("b.pem", "b.key");
  next.tls->min_tls_minor_version = 3;
  EXPECT_TRUE((*server)->reconfigure(next).ok());
  next.tls = pair("b.pem", "a.key");
  auto refused = (*server)->reconfigure(next);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(), kDir + "a.key: the key does not match the certificate in " + kDir + "b.pem");
  auto plain = (*server)->reconfigure(WebConfig{});
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().message(), "tls_server_config: turning TLS off needs a restart");
}

}  // namespace
}  // namespace bpfproc
