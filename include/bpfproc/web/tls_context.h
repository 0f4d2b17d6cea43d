#pragma once
// The GnuTLS side of tls_server_config: the certificate and key (re-read when their files change,
// so a rotated certificate needs no restart), the trusted client CAs, the priority string and the
// client-certificate policy, applied to each new TLS session before its handshake.
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gnutls/gnutls.h>

#include "bpfproc/util/result.h"
#include "bpfproc/web/web_config.h"

namespace bpfproc {

// What tells that a certificate or key file changed on disk (a rotation).
struct TlsFileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  timespec modified{};
  bool operator==(const TlsFileStamp& other) const;
};

class TlsContext {
 public:
  // Errors are one line naming the file and the reason: "<cert_file>: no PEM certificate in the
  // file", "<key_file>: cannot read: Permission denied", "<key_file>: the key does not match the
  // certificate in <cert_file>", "<client_ca_file>: no CA certificate in the file", ...
  static Result<std::unique_ptr<TlsContext>> load(const TlsConfig& config);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // For a session the HTTP server has just created: the current certificate (re-read first when
  // its files changed, checked at most once a second), the priorities and the client-certificate
  // policy. Called from the server's event threads.
  void prepare_session(gnutls_session_t session);

  // The certificate and key first loaded and the priority string, which the server needs to start.
  const std::string& certificate_pem() const { return generations_.front().certificate_pem; }
  const std::string& key_pem() const { return generations_.front().key_pem; }
  const std::string& priority() const { return priority_text_; }

 private:
  using FileStamp = TlsFileStamp;
  struct Generation {
    gnutls_certificate_credentials_t credentials = nullptr;
    std::string certificate_pem;
    std::string key_pem;
    FileStamp certificate_stamp;
    FileStamp key_stamp;
  };
  TlsContext() = default;
  static Result<Generation> load_generation(const TlsConfig& config);
  static FileStamp stamp_of(const std::string& path);
  void reload_if_changed();

  TlsConfig config_;
  std::string priority_text_;
  gnutls_priority_t priority_ = nullptr;
  std::mutex mutex_;
  // Every generation stays until the context goes: a session keeps using the credentials it
  // started with, and rotations are rare (a few hundred bytes each).
  std::vector<Generation> generations_;
  std::chrono::steady_clock::time_point last_check_;
  std::pair<FileStamp, FileStamp> last_failed_;  // logged once per change, not once a second
};

}  // namespace bpfproc
