#include "bpfproc/web/tls_context.h"

#include <gnutls/x509.h>

#include <spdlog/spdlog.h>

#include "bpfproc/util/whole_file.h"
#include "bpfproc/web/tls_priority.h"

namespace bpfproc {
namespace {

constexpr auto kRotationCheckInterval = std::chrono::seconds(1);

gnutls_datum_t datum_of(const std::string& text) {
  return {reinterpret_cast<unsigned char*>(const_cast<char*>(text.data())), static_cast<unsigned>(text.size())};
}

Result<std::string> read_pem(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) return Error{"cannot read", path, text.error().errno_value};
  // Said plainly: GnuTLS would report a base64 header error.
  if (text->empty()) return Error{"the file is empty", path};
  return text;
}

// For the client_auth_types that verify. A client that sent no certificate passes here: under
// RequireAndVerifyClientCert, GNUTLS_CERT_REQUIRE has already refused it; under
// VerifyClientCertIfGiven, none is fine.
int verify_client_certificate(gnutls_session_t session) {
  unsigned count = 0;
  if (gnutls_certificate_get_peers(session, &count) == nullptr || count == 0) return 0;
  unsigned status = 0;
  if (gnutls_certificate_verify_peers2(session, &status) < 0 || status != 0) return GNUTLS_E_CERTIFICATE_ERROR;
  return 0;
}

}  // namespace

bool TlsFileStamp::operator==(const TlsFileStamp& other) const {
  return device == other.device && inode == other.inode && size == other.size &&
         modified.tv_sec == other.modified.tv_sec && modified.tv_nsec == other.modified.tv_nsec;
}

TlsContext::FileStamp TlsContext::stamp_of(const std::string& path) {
  struct stat status{};
  FileStamp stamp;
  // stat, not lstat: a rotation that swaps a symlink (Kubernetes secrets) changes the target.
  if (stat(path.c_str(), &status) != 0) return stamp;
  stamp.device = status.st_dev;
  stamp.inode = status.st_ino;
  stamp.size = status.st_size;
  stamp.modified = status.st_mtim;
  return stamp;
}

Result<TlsContext::Generation> TlsContext::load_generation(const TlsConfig& config) {
  Generation generation;
  // Stamps first: a file replaced while it is read is then read again at the next check.
  generation.certificate_stamp = stamp_of(config.cert_file);
  generation.key_stamp = stamp_of(config.key_file);
  auto certificate = read_pem(config.cert_file);
  if (!certificate) return certificate.error();
  auto key = read_pem(config.key_file);
  if (!key) return key.error();
  generation.certificate_pem = std::move(*certificate);
  generation.key_pem = std::move(*key);

  // Parse each alone first, so that the error names the file at fault.
  gnutls_x509_crt_t parsed_certificate = nullptr;
  gnutls_x509_crt_init(&parsed_certificate);
  gnutls_datum_t certificate_datum = datum_of(generation.certificate_pem);
  int result = gnutls_x509_crt_import(parsed_certificate, &certificate_datum, GNUTLS_X509_FMT_PEM);
  gnutls_x509_crt_deinit(parsed_certificate);
  if (result < 0)
    return Error{std::string("no PEM certificate in the file (") + gnutls_strerror(result) + ")", config.cert_file};
  gnutls_x509_privkey_t parsed_key = nullptr;
  gnutls_x509_privkey_init(&parsed_key);
  gnutls_datum_t key_datum = datum_of(generation.key_pem);
  result = gnutls_x509_privkey_import(parsed_key, &key_datum, GNUTLS_X509_FMT_PEM);
  gnutls_x509_privkey_deinit(parsed_key);
  if (result < 0)
    return Error{std::string("no unencrypted PEM private key in the file (") + gnutls_strerror(result) + ")",
                 config.key_file};

  if (gnutls_certificate_allocate_credentials(&generation.credentials) < 0)
    return Error{"cannot allocate TLS credentials", "gnutls"};
  const auto fail = [&generation](Error error) -> Result<Generation> {
    gnutls_certificate_free_credentials(generation.credentials);
    return error;
  };
  result = gnutls_certificate_set_x509_key_mem2(generation.credentials, &certificate_datum, &key_datum,
                                                GNUTLS_X509_FMT_PEM, nullptr, 0);
  if (result == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
    return fail(Error{"the key does not match the certificate in " + config.cert_file, config.key_file});
  if (result < 0)
    return fail(Error{std::string("cannot use the certificate and key: ") + gnutls_strerror(result), config.cert_file});
  if (!config.client_ca_file.empty()) {
    auto authorities = read_pem(config.client_ca_file);
    if (!authorities) return fail(authorities.error());
    gnutls_datum_t authorities_datum = datum_of(*authorities);
    result = gnutls_certificate_set_x509_trust_mem(generation.credentials, &authorities_datum, GNUTLS_X509_FMT_PEM);
    if (result <= 0)
      return fail(Error{result < 0 ? std::string("no CA certificate in the file (") + gnutls_strerror(result) + ")"
                                   : std::string("no CA certificate in the file"),
                        config.client_ca_file});    // The handshake then fails on a client certificate that these CAs do not vouch for.
    gnutls_certificate_set_verify_function(generation.credentials, &verify_client_certificate);
  }
  return generation;
}

Result<std::unique_ptr<TlsContext>> TlsContext::load(const TlsConfig& config) {
  std::unique_ptr<TlsContext> context(new TlsContext());
  context->config_ = config;
  context->priority_text_ = tls_priority_string(config);
  const char* error_position = nullptr;
  const int result = gnutls_priority_init(&context->priority_, context->priority_text_.c_str(), &error_position);
  if (result < 0)
    return Error{std::string("GnuTLS refuses the protocol settings at \"") + (error_position ? error_position : "") +
                     "\": " + gnutls_strerror(result),
                 "tls_server_config"};
  auto generation = load_generation(config);
  if (!generation) return generation.error();
  context->generations_.push_back(std::move(*generation));
  context->last_check_ = std::chrono::steady_clock::now();
  return context;
}

TlsContext::~TlsContext() {
  for (Generation& generation : generations_) gnutls_certificate_free_credentials(generation.credentials);
  if (priority_ != nullptr) gnutls_priority_deinit(priority_);
}

void TlsContext::reload_if_changed() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_check_ < kRotationCheckInterval) return;
  last_check_ = now;
  const Generation& current = generations_.back();
  const std::pair stamps{stamp_of(config_.cert_file), stamp_of(config_.key_file)};
  if (stamps.first == current.certificate_stamp && stamps.second == current.key_stamp) return;
  auto generation = load_generation(config_);
  if (!generation) {
    // Mid-rotation (the certificate written, the key not yet) is normal: keep serving the old
    // pair and try again at the next check; say so once per change.
    if (!(stamps.first == last_failed_.first && stamps.second == last_failed_.second))
      spdlog::warn("TLS certificate changed on disk but cannot be used yet, still serving the previous one: {}",
                   generation.error().message());
    last_failed_ = stamps;
    return;
  }
  generations_.push_back(std::move(*generation));
  spdlog::info("TLS certificate {} re-read", config_.cert_file);
}

void TlsContext::prepare_session(gnutls_session_t session) {
  gnutls_certificate_credentials_t credentials;
  {
    std::lock_guard lock(mutex_);
    reload_if_changed();
    credentials = generations_.back().credentials;
  }
  gnutls_priority_set(session, priority_);
  gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials);
  switch (config_.client_auth) {
    case ClientAuth::kNoClientCert:
      gnutls_certificate_server_set_request(session, GNUTLS_CERT_IGNORE);
      break;
    case ClientAuth::kRequestClientCert:
    case ClientAuth::kVerifyClientCertIfGiven:
      gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUEST);
      break;
    case ClientAuth::kRequireAnyClientCert:
    case ClientAuth::kRequireAndVerifyClientCert:
      gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE);
      break;
  }
}

}  // namespace bpfproc
