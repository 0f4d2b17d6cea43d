#pragma once
// HTTP basic auth against the bcrypt hashes of basic_auth_users (exporter-toolkit's rules).
//
// bcrypt is slow by design (~50 ms at cost 10), so the check is split in two: a cheap part for the
// HTTP event loop (parse the header, look the credentials up among those that passed before) and
// bcrypt itself, which the server runs on a small bounded pool. What passed is remembered as a keyed
// hash (HMAC-SHA-256, random per-process key) of user and password, never the password. An
// unknown user costs one bcrypt against a dummy hash of the same cost, so that timing does not tell
// which users exist. Every byte of the password counts: one with a NUL is refused (crypt would stop
// at it).
#include <array>
#include <map>
#include <optional>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace bpfproc {

struct Credentials {
  std::string user;
  std::string password;
};

// "$2b$10$..." -> 10: bcrypt's cost (log2 of its rounds); 0 when the hash has none.
int bcrypt_cost(std::string_view hash);

class BasicAuth {
 public:
  // `users`: user -> bcrypt hash ($2a$, $2b$, $2y$), as parse_web_config checked them.
  explicit BasicAuth(std::map<std::string, std::string> users);
  bool enabled() const { return !users_.empty(); }

  enum class Verdict { kAllowed, kDenied, kNeedsCheck };
  // The cheap part. kAllowed: auth is off, or these credentials passed bcrypt before. kDenied: no
  // or malformed credentials, or a NUL in the password. kNeedsCheck: `credentials` are filled in
  // and must go through verify().
  Verdict check_cached(std::string_view authorization, Credentials& credentials) const;

  // bcrypt; keep it off event loops. Remembers a success for check_cached.
  bool verify(const Credentials& credentials);

  // Both parts in the calling thread: for tests and simple callers.
  bool allows(std::string_view authorization);

  // The cost of the dummy hash that unknown users are checked against: the users' highest.
  int dummy_cost() const { return bcrypt_cost(dummy_hash_); }

 private:
  using Digest = std::array<unsigned char, 32>;
  Digest keyed_digest(const Credentials& credentials) const;

  std::map<std::string, std::string> users_;
  std::string dummy_hash_;  // bcrypt of a random password, at the highest cost among users_
  std::array<unsigned char, 32> key_{};
  mutable std::shared_mutex cache_mutex_;  // held for a set lookup or insert, never across bcrypt
  std::set<Digest> verified_;
};

// Standard base64 (RFC 4648) decoding; nullopt when `text` is not base64.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace bpfproc
