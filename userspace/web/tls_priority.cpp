#include "bpfproc/web/tls_priority.h"

#include <algorithm>
#include <array>
#include <vector>

namespace bpfproc {
namespace {

struct SuiteParts {
  std::string_view go_name;
  std::string_view key_exchange;
  std::string_view cipher;
  std::string_view mac;
};

// The TLS 1.2 suites Go's crypto/tls accepts in CipherSuites (tls.CipherSuites() and
// tls.InsecureCipherSuites() minus RC4/3DES, which GnuTLS 3.7 no longer offers by default).
constexpr std::array kSuites = {
    SuiteParts{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD"},
    SuiteParts{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD"},
    SuiteParts{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD"},
    SuiteParts{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD"},
    SuiteParts{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD"},
    SuiteParts{"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    SuiteParts{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD"},
    SuiteParts{"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    SuiteParts{"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1"},
    SuiteParts{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1"},
    SuiteParts{"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1"},
    SuiteParts{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1"},
    SuiteParts{"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA", "AES-128-CBC", "SHA256"},
    SuiteParts{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA", "AES-128-CBC", "SHA256"},
    SuiteParts{"TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD"},
    SuiteParts{"TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD"},
    SuiteParts{"TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1"},
    SuiteParts{"TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1"},
    SuiteParts{"TLS_RSA_WITH_AES_128_CBC_SHA256", "RSA", "AES-128-CBC", "SHA256"},
};

struct CurveName {
  std::string_view go_name;
  std::string_view group;
};
constexpr std::array kCurves = {
    CurveName{"X25519", "GROUP-X25519"},
    CurveName{"CurveP256", "GROUP-SECP256R1"},
    CurveName{"CurveP384", "GROUP-SECP384R1"},
    CurveName{"CurveP521", "GROUP-SECP521R1"},
};

// TLS 1.3's own suites: kept whatever cipher_suites says, as Go does.
constexpr std::array kTls13Ciphers = {"AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"};

void add_once(std::vector<std::string_view>& list, std::string_view item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace

bool known_cipher_suite(std::string_view go_name) {
  return std::any_of(kSuites.begin(), kSuites.end(), [&](const SuiteParts& suite) { return suite.go_name == go_name; });
}

bool known_curve(std::string_view go_name) {
  return std::any_of(kCurves.begin(), kCurves.end(), [&](const CurveName& curve) { return curve.go_name == go_name; });
}

std::string tls_priority_string(const TlsConfig& tls) {
  std::string priority = "NORMAL:-VERS-ALL";
  // Newest first: GnuTLS takes the order of the + entries as its preference.
  for (int minor = tls.max_tls_minor_version; minor >= tls.min_tls_minor_version; --minor)
    priority += ":+VERS-TLS1." + std::to_string(minor);
  if (!tls.cipher_suites.empty()) {
    std::vector<std::string_view> key_exchanges, ciphers, macs;
    for (const std::string& name : tls.cipher_suites)
      for (const SuiteParts& suite : kSuites)
        if (suite.go_name == name) {
          add_once(key_exchanges, suite.key_exchange);
          add_once(ciphers, suite.cipher);
          add_once(macs, suite.mac);
        }
    if (tls.max_tls_minor_version >= 3) {
      for (std::string_view cipher : kTls13Ciphers) add_once(ciphers, cipher);
      add_once(macs, "AEAD");
    }
    priority += ":-KX-ALL:-CIPHER-ALL:-MAC-ALL";
    for (std::string_view kx : key_exchanges) priority += ":+" + std::string(kx);
    for (std::string_view cipher : ciphers) priority += ":+" + std::string(cipher);
    for (std::string_view mac : macs) priority += ":+" + std::string(mac);
  }
  if (!tls.curve_preferences.empty()) {
    priority += ":-GROUP-ALL";
    for (const std::string& name : tls.curve_preferences)
      for (const CurveName& curve : kCurves)
        if (curve.go_name == name) priority += ":+" + std::string(curve.group);
  }
  if (tls.prefer_server_cipher_suites) priority += ":%SERVER_PRECEDENCE";
  return priority;
}

}  // namespace bpfproc
