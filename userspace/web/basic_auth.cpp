#include "bpfproc/web/basic_auth.h"

#include <crypt.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <optional>
#include <stdexcept>

namespace bpfproc {
namespace {

// Distinct passwords remembered at most; a client cycling through wrong-then-right passwords for
// many users cannot grow the cache without bound. Cleared when full (the next scrapes pay bcrypt
// once each).
constexpr std::size_t kCacheLimit = 1024;

// Compares without an early exit, so the time taken does not tell how much of a guess was right.
bool equal_in_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t index = 0; index < a.size(); ++index)
    difference |= static_cast<unsigned char>(a[index] ^ b[index]);
  return difference == 0;
}

}  // namespace

int bcrypt_cost(std::string_view hash) {
  if (hash.size() < 7 || hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9') return 0;
  return (hash[4] - '0') * 10 + (hash[5] - '0');
}

namespace {

bool bcrypt_matches(const std::string& password, const std::string& hash) {
  static thread_local crypt_data scratch;  // 32 KiB: too large for the stack of a pool thread
  const char* computed = crypt_r(password.c_str(), hash.c_str(), &scratch);
  return computed != nullptr && equal_in_constant_time(hash, computed);
}

}  // namespace

BasicAuth::BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {
  if (users_.empty()) return;
  if (gnutls_rnd(GNUTLS_RND_KEY, key_.data(), key_.size()) != 0)
    throw std::runtime_error("cannot draw a random key for the basic-auth cache");
  int cost = 4;  // bcrypt's minimum
  for (const auto& [user, hash] : users_) cost = std::max(cost, bcrypt_cost(hash));
  std::array<unsigned char, 16> dummy_password{};
  if (gnutls_rnd(GNUTLS_RND_NONCE, dummy_password.data(), dummy_password.size()) != 0)
    throw std::runtime_error("cannot draw a random dummy password");
  std::string password = "dummy-";
  for (unsigned char byte : dummy_password) password += static_cast<char>('a' + byte % 26);
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  crypt_data scratch{};
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, salt, sizeof(salt)) == nullptr ||
      crypt_r(password.c_str(), salt, &scratch) == nullptr)
    throw std::runtime_error("cannot compute the dummy bcrypt hash");
  dummy_hash_ = scratch.output;
}

BasicAuth::Digest BasicAuth::keyed_digest(const Credentials& credentials) const {
  // The user's length first, so that ("ab", "c") and ("a", "bc") never share a digest.
  std::string message = std::to_string(credentials.user.size()) + ":" + credentials.user + credentials.password;
  Digest digest{};
  (void)gnutls_hmac_fast(GNUTLS_MAC_SHA256, key_.data(), key_.size(), message.data(), message.size(), digest.data());
  return digest;
}

BasicAuth::Verdict BasicAuth::check_cached(std::string_view authorization, Credentials& credentials) const {
  if (!enabled()) return Verdict::kAllowed;
  constexpr std::string_view kScheme = "Basic ";
  if (authorization.substr(0, kScheme.size()) != kScheme) return Verdict::kDenied;
  const auto decoded = decode_base64(authorization.substr(kScheme.size()));
  if (!decoded) return Verdict::kDenied;
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return Verdict::kDenied;
  credentials.user = decoded->substr(0, colon);
  credentials.password = decoded->substr(colon + 1);
  // crypt() would read the password only up to the NUL, accepting "s3cret\0anything".
  if (credentials.password.find('\0') != std::string::npos) return Verdict::kDenied;
  const Digest digest = keyed_digest(credentials);
  std::shared_lock lock(cache_mutex_);
  return verified_.count(digest) != 0 ? Verdict::kAllowed : Verdict::kNeedsCheck;
}

bool BasicAuth::verify(const Credentials& credentials) {
  if (credentials.password.find('\0') != std::string::npos) return false;
  const auto hash = users_.find(credentials.user);
  if (hash == users_.end()) {
    (void)bcrypt_matches(credentials.password, dummy_hash_);  // the same cost as a wrong password
    return false;
  }
  if (!bcrypt_matches(credentials.password, hash->second)) return false;
  const Digest digest = keyed_digest(credentials);
  std::unique_lock lock(cache_mutex_);
  if (verified_.size() >= kCacheLimit) verified_.clear();
  verified_.insert(digest);
  return true;
}

bool BasicAuth::allows(std::string_view authorization) {
  Credentials credentials;
  switch (check_cached(authorization, credentials)) {
    case Verdict::kAllowed: return true;
    case Verdict::kDenied: return false;
    case Verdict::kNeedsCheck: return verify(credentials);
  }
  return false;
}

std::optional<std::string> decode_base64(std::string_view text) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string decoded;
  unsigned buffer = 0;
  int bits = 0;
  for (char character : text) {
    const std::size_t value = kAlphabet.find(character);
    if (value == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return decoded;
}

}  // namespace bpfproc
