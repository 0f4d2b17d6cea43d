#pragma once
// tls_server_config's protocol choices (versions, cipher suites, curves, server preference) as a
// GnuTLS priority string. exporter-toolkit names suites and curves as Go does; GnuTLS priorities
// name key exchanges, ciphers and MACs separately, so a list of suites becomes the union of their
// parts. Like Go, the list does not restrict TLS 1.3's own suites; when TLS 1.3 is allowed its
// AEAD ciphers therefore stay in the union, for TLS 1.2 too.
#include <string>
#include <string_view>

#include "bpfproc/util/result.h"
#include "bpfproc/web/web_config.h"

namespace bpfproc {

bool known_cipher_suite(std::string_view go_name);
bool known_curve(std::string_view go_name);

// "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE", ...; the caller checks it with
// gnutls_priority_init.
std::string tls_priority_string(const TlsConfig& tls);

}  // namespace bpfproc
