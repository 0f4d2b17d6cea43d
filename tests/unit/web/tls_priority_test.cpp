// tls_server_config's versions, suites and curves as GnuTLS priorities, which GnuTLS accepts.
#include "bpfproc/web/tls_priority.h"

#include <gnutls/gnutls.h>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

bool gnutls_accepts(const std::string& priority) {
  gnutls_priority_t parsed = nullptr;
  const int result = gnutls_priority_init(&parsed, priority.c_str(), nullptr);
  if (result == 0) gnutls_priority_deinit(parsed);
  return result == 0;
}

TEST(TlsPriority, VersionsNewestFirst) {
  TlsConfig tls;
  EXPECT_EQ(tls_priority_string(tls), "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE");
  tls.min_tls_minor_version = 3;
  tls.prefer_server_cipher_suites = false;
  EXPECT_EQ(tls_priority_string(tls), "NORMAL:-VERS-ALL:+VERS-TLS1.3");
  EXPECT_TRUE(gnutls_accepts(tls_priority_string(tls)));
}

TEST(TlsPriority, SuitesAndCurvesBecomeGnutlsKeywords) {
  TlsConfig tls;
  tls.max_tls_minor_version = 2;
  tls.cipher_suites = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"};
  tls.curve_preferences = {"CurveP384", "X25519"};
  const std::string priority = tls_priority_string(tls);
  EXPECT_EQ(priority,
            "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:-CIPHER-ALL:-MAC-ALL:+ECDHE-RSA:+AES-128-GCM:+AES-256-CBC:+AEAD:"
            "+SHA1:-GROUP-ALL:+GROUP-SECP384R1:+GROUP-X25519:%SERVER_PRECEDENCE");
  EXPECT_TRUE(gnutls_accepts(priority));
  EXPECT_TRUE(known_cipher_suite("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"));
  EXPECT_FALSE(known_cipher_suite("TLS_AES_128_GCM_SHA256")) << "TLS 1.3 suites are not configurable, as in Go";
  EXPECT_TRUE(known_curve("CurveP521"));
  EXPECT_FALSE(known_curve("X448"));
}

}  // namespace
}  // namespace bpfproc
