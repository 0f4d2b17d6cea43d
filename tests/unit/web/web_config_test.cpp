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
  EXPECT_EQ(config->tls->client_auth, ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_EQ(config->tls->min_tls_minor_version, 3);
  EXPECT_EQ(config->basic_auth_users.at("prometheus"), kHash);
}

TEST(WebConfig, ParsesEveryClientAuthTypeAndProtocolChoice) {
  for (const auto& [name, policy] : {std::pair{"NoClientCert", ClientAuth::kNoClientCert},
                                     std::pair{"RequestClientCert", ClientAuth::kRequestClientCert},
                                     std::pair{"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
                                     std::pair{"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
                                     std::pair{"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert}}) {
    const std::string ca = verifies_client_certificates(policy) ? "  client_ca_file: ca.pem\n" : "";
    auto config = parse_web_config("tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: " +
                                       std::string(name) + "\n" + ca,
                                   "web.yml");
    ASSERT_TRUE(config.ok()) << name << ": " << config.error().message();
    EXPECT_EQ(config->tls->client_auth, policy) << name;
  }
  auto config = parse_web_config(
      "tls_server_config:\n  cert_file: c\n  key_file: k\n  min_version: TLS10\n  max_version: TLS12\n"
      "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n  curve_preferences: [X25519, CurveP256]\n"
      "  prefer_server_cipher_suites: false\n",
      "web.yml");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->tls->min_tls_minor_version, 0);
  EXPECT_EQ(config->tls->max_tls_minor_version, 2);
  EXPECT_EQ(config->tls->cipher_suites, std::vector<std::string>{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
  EXPECT_EQ(config->tls->curve_preferences, (std::vector<std::string>{"X25519", "CurveP256"}));
  EXPECT_FALSE(config->tls->prefer_server_cipher_suites);
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
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n"),
            "web.yml:4: min_version \"TLS14\" is not supported (TLS10, TLS11, TLS12 or TLS13)");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: ''\n  key_file: b\n"), "web.yml:2: cert_file is empty");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: [a]\n  key_file: b\n"), "web.yml:2: cert_file must be a string");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: ca.pem\n"),
            "web.yml:4: client_ca_file needs a client_auth_type that verifies (VerifyClientCertIfGiven or "
            "RequireAndVerifyClientCert)");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: VerifyClientCertIfGiven\n"),
            "web.yml:2: a client_auth_type that verifies client certificates needs client_ca_file");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Sometimes\n"),
            "web.yml:4: client_auth_type \"Sometimes\" is not supported (NoClientCert, RequestClientCert, "
            "RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n"),
            "web.yml:4: cipher suite \"TLS_RSA_WITH_RC4_128_SHA\" is not supported");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [CurveP224]\n"),
            "web.yml:4: curve \"CurveP224\" is not supported");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n"),
            "web.yml:2: max_version is below min_version");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  prefer_server_cipher_suites: maybe\n"),
            "web.yml:4: prefer_server_cipher_suites must be true or false");
  EXPECT_EQ(error_of("basic_auth_users:\n  prometheus: {a: b}\n"), "web.yml:2: password of \"prometheus\" must be a string");
  EXPECT_EQ(error_of("http_server_config:\n  http3: true\n"), "web.yml:2: unknown key \"http3\"");
  EXPECT_EQ(error_of("rate_limit: {burst: 1}\n"), "web.yml:1: unknown key \"rate_limit\"");
}

// threw out of the loader on a list or map where a string belongs (exit 1, no file or line).
TEST(WebConfig, NonStringKeysAndValuesAreErrorsWithTheLine) {
  const auto error_of = [](const std::string& yaml) {
    auto config = parse_web_config(yaml, "web.yml");
    return config ? std::string("loaded") : config.error().message();
  };
  EXPECT_EQ(error_of("? [a, b]\n: c\n"), "web.yml:1: a key must be a string");
  EXPECT_EQ(error_of("tls_server_config:\n  ? {x: 1}\n  : y\n"), "web.yml:2: a key must be a string");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: [a]\n  key_file: b\n"), "web.yml:2: cert_file must be a string");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file:\n"), "web.yml:3: key_file is empty");
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: {v: 3}\n"),
            "web.yml:4: min_version must be a string");
  EXPECT_EQ(error_of("basic_auth_users:\n  [u]: '" + kHash + "'\n"), "web.yml:2: a user name must be a string");
  EXPECT_EQ(error_of("basic_auth_users:\n  prometheus:\n  other: x\n"), "web.yml:2: password of \"prometheus\" is empty");
  EXPECT_EQ(error_of("basic_auth_users:\n  prometheus: [x]\n"),
            "web.yml:2: password of \"prometheus\" must be a string");
}

// exporter-toolkit's rule: five headers may be set, two of them only to their enumerated values.
TEST(WebConfig, HttpServerConfigTakesTheToolkitsHeadersAndHttp2) {
  auto config = parse_web_config(
      "http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: sameorigin\n"
      "    X-Content-Type-Options: nosniff\n    Strict-Transport-Security: max-age=31536000\n"
      "    X-XSS-Protection: '1; mode=block'\n    Content-Security-Policy: default-src 'self'\n",
      "web.yml");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_FALSE(config->http_server.http2);
  EXPECT_EQ(config->http_server.headers.size(), 5u);
  EXPECT_EQ(config->http_server.headers.at("X-XSS-Protection"), "1; mode=block");
  EXPECT_TRUE(parse_web_config("http_server_config:\n  headers:\n", "web.yml")->http_server.headers.empty());
  EXPECT_TRUE(parse_web_config("basic_auth_users: {}\n", "web.yml")->http_server.http2) << "the toolkit's default";

  const auto error_of = [](const std::string& yaml) {
    auto parsed = parse_web_config(yaml, "web.yml");
    return parsed ? std::string("loaded") : parsed.error().message();
  };
  EXPECT_EQ(error_of("http_server_config:\n  headers:\n    Set-Cookie: a=b\n"),
            "web.yml:3: HTTP header \"Set-Cookie\" can not be configured (Strict-Transport-Security, "
            "X-Content-Type-Options, X-Frame-Options, X-XSS-Protection or Content-Security-Policy)");
  EXPECT_EQ(error_of("http_server_config:\n  headers:\n    x-frame-options: deny\n"),
            "web.yml:3: HTTP header \"x-frame-options\" can not be configured (Strict-Transport-Security, "
            "X-Content-Type-Options, X-Frame-Options, X-XSS-Protection or Content-Security-Policy)")
      << "names are matched exactly, as in the toolkit";
  EXPECT_EQ(error_of("http_server_config:\n  headers:\n    X-Frame-Options: allow\n"),
            "web.yml:3: invalid value \"allow\" for X-Frame-Options (deny or sameorigin)");
  EXPECT_EQ(error_of("http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n"),
            "web.yml:3: invalid value \"sniff\" for X-Content-Type-Options (nosniff)");
  EXPECT_EQ(error_of("http_server_config:\n  headers:\n    Content-Security-Policy: \"a\\r\\nSet-Cookie: x\"\n"),
            "web.yml:3: Content-Security-Policy has a line break");
  EXPECT_EQ(error_of("http_server_config:\n  headers: [X-Frame-Options]\n"),
            "web.yml:2: headers must map header names to values");
  EXPECT_EQ(error_of("http_server_config:\n  http2: yes please\n"), "web.yml:2: http2 must be true or false");
  EXPECT_EQ(error_of("http_server_config: [http2]\n"), "web.yml:1: http_server_config must be a map");
}

// exporter-toolkit takes a relative certificate, key or CA path from the web config's directory.
TEST(WebConfig, RelativePathsAreTheFilesDirectorys) {
  const std::string directory = std::string(BPFPROC_FIXTURES_DIR) + "/web_config";
  auto config = load_web_config_file(directory + "/tls_require_and_verify.good.yml");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->tls->cert_file, directory + "/../tls/a.pem");
  EXPECT_EQ(config->tls->client_ca_file, directory + "/../tls/b.pem");
  auto absolute = parse_web_config("tls_server_config:\n  cert_file: /etc/a.pem\n  key_file: /etc/a.key\n", "web.yml");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->tls->cert_file, "/etc/a.pem");
}

}  // namespace
}  // namespace bpfproc
