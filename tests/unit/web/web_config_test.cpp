// --web.config.file: exporter-toolkit's format, and basic auth against bcrypt hashes.
#include "bpfproc/web/web_config.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

// bcrypt (cost 4, to keep the test fast) of "s3cret".
const std::string kHash = "$2b$04$dR/J21ClGlkKz9JvCVDz/e4clSR/k3EPkkcjM.YIfKWOzP0UNCCzu";

TEST(WebConfig, ParsesTlsAndUsers) {
  auto config = parse_web_config(
      "tls_server_config:\n"
      "  cert_file: /etc/bpfproc/cert.pem\n"
      "  key_file: /etc/bpfproc/key.pem\n"
      "  client_auth_type: RequireAndVerifyClientCert\n"
      "  client_ca_file: /etc/bpfproc/ca.pem\n"
      "  min_version: TLS13\n"
      "basic_auth_users:\n"
      "  prometheus: '" + kHash + "'\n",
      "web.yml");
  ASSERT_TRUE(config.ok()) << config.error().message();
  ASSERT_TRUE(config->tls.has_value());
  EXPECT_EQ(config->tls->cert_file, "/etc/bpfproc/cert.pem");
  EXPECT_TRUE(config->tls->require_client_cert);
  EXPECT_EQ(config->tls->min_tls_minor_version, 3);
  EXPECT_EQ(config->basic_auth_users.at("prometheus"), kHash);
}

TEST(WebConfig, EmptyFileMeansPlainHttp) {
  auto config = parse_web_config("", "web.yml");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->tls.has_value());
  EXPECT_TRUE(config->basic_auth_users.empty());
}

TEST(WebConfig, ErrorsNameTheFileAndLine) {
  const auto error_of = [](const std::string& yaml) { return parse_web_config(yaml, "web.yml").error().message(); };
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  kye_file: c\n"),
            "web.yml:4: unknown key \"kye_file\"");
  EXPECT_EQ(error_of("basic_auth_users:\n  prometheus: plaintext\n"),
            "web.yml:2: password of \"prometheus\" is not a bcrypt hash");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n"), "web.yml:2: tls_server_config needs cert_file and key_file");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS10\n"),
            "web.yml:4: min_version \"TLS10\" is not supported (TLS12 or TLS13)");
  EXPECT_EQ(error_of("http_server_config: {}\n"), "web.yml:1: unknown key \"http_server_config\"");
}

// Issue 12's fuzzing finding (the web_config fuzz target covers it): yaml-cpp's as<std::string>()
// threw out of the loader on a list or map where a string belongs (exit 1, no file or line).
TEST(WebConfig, NonStringKeysAndValuesAreErrorsWithTheLine) {
  const auto error_of = [](const std::string& yaml) {
    auto config = parse_web_config(yaml, "web.yml");
    return config ? std::string("loaded") : config.error().message();
  };
  EXPECT_EQ(error_of("? [a, b]\n: c\n"), "web.yml:1: a key must be a string");
  EXPECT_EQ(error_of("tls_server_config:\n  ? {x: 1}\n  : y\n"), "web.yml:2: a key must be a string");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: [a]\n  key_file: b\n"), "web.yml:2: cert_file must be a string");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file:\n"), "web.yml:3: key_file must be a string");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: {v: 3}\n"),
            "web.yml:4: min_version must be a string");
  EXPECT_EQ(error_of("basic_auth_users:\n  [u]: '" + kHash + "'\n"), "web.yml:2: a user name must be a string");
  EXPECT_EQ(error_of("basic_auth_users:\n  prometheus: [x]\n"),
            "web.yml:2: the password hash of \"prometheus\" must be a string");
}

TEST(BasicAuth, AcceptsOnlyTheRightPassword) {
  BasicAuth auth({{"prometheus", kHash}});
  EXPECT_TRUE(auth.enabled());
  // base64("prometheus:s3cret"), base64("prometheus:wrong"), base64("nobody:s3cret")
  EXPECT_TRUE(auth.allows("Basic cHJvbWV0aGV1czpzM2NyZXQ="));
  EXPECT_TRUE(auth.allows("Basic cHJvbWV0aGV1czpzM2NyZXQ=")) << "again, from the cache";
  EXPECT_FALSE(auth.allows("Basic cHJvbWV0aGV1czp3cm9uZw=="));
  EXPECT_FALSE(auth.allows("Basic bm9ib2R5OnMzY3JldA=="));
  EXPECT_FALSE(auth.allows("Bearer cHJvbWV0aGV1czpzM2NyZXQ="));
  EXPECT_FALSE(auth.allows("Basic !!!"));
  EXPECT_FALSE(BasicAuth({}).enabled());
}

// crypt_r took password.c_str(), so "s3cret\0anything" was checked as "s3cret" and let in.
TEST(BasicAuth, RefusesAPasswordWithANul) {
  const std::string with_nul = "Basic cHJvbWV0aGV1czpzM2NyZXQAYW55dGhpbmc=";  // base64("prometheus:s3cret\0anything")
  BasicAuth fresh({{"prometheus", kHash}});
  EXPECT_FALSE(fresh.allows(with_nul));
  BasicAuth verified({{"prometheus", kHash}});
  ASSERT_TRUE(verified.allows("Basic cHJvbWV0aGV1czpzM2NyZXQ="));
  EXPECT_FALSE(verified.allows(with_nul)) << "nor once the right password is cached";
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(decode_base64("cHJvbQ==").value(), "prom");
  EXPECT_EQ(decode_base64("cHJvbQ").value(), "prom");
  EXPECT_EQ(decode_base64("").value(), "");
  EXPECT_FALSE(decode_base64("cH*v").has_value());
}

}  // namespace
}  // namespace bpfproc
