#include "bpfproc/web/web_config.h"

#include <crypt.h>

#include <set>

#include <yaml-cpp/yaml.h>

#include "bpfproc/util/whole_file.h"

namespace bpfproc {
namespace {

// "<source>:<line>"; a null mark (an empty document) points at the first line.
std::string line_of(const std::string& source, const YAML::Mark& mark) {
  return source + ":" + std::to_string(mark.is_null() ? 1 : mark.line + 1);
}

Error at(const std::string& source, const YAML::Node& node, const std::string& reason) {
  return Error{reason, line_of(source, node.Mark())};
}

// The string a key or value holds. yaml-cpp's as<std::string>() throws on a list, a map or an
// empty value (`? [a, b]` is a valid YAML key): say where a string was expected instead.
Result<std::string> string_at(const std::string& source, const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) return at(source, node, what + " must be a string");
  return node.Scalar();
}

// Keys of `node` outside `allowed` are errors: a misspelt key must not silently disable TLS.
std::optional<Error> unknown_key(const std::string& source, const YAML::Node& node,
                                 const std::set<std::string>& allowed) {
  for (const auto& entry : node) {
    auto key = string_at(source, entry.first, "a key");
    if (!key) return key.error();
    if (allowed.count(*key) == 0) return at(source, entry.first, "unknown key \"" + *key + "\"");
  }
  return std::nullopt;
}

// The string under `name` in `map`, nullopt when it is absent. Errors point at the key: an empty
// value has no line of its own (yaml-cpp marks the token after it).
Result<std::optional<std::string>> string_value(const std::string& source, const YAML::Node& map,
                                                const std::string& name) {
  for (const auto& entry : map) {
    if (entry.first.Scalar() != name) continue;
    if (!entry.second.IsScalar()) return at(source, entry.first, name + " must be a string");
    return std::optional<std::string>(entry.second.Scalar());
  }
  return std::optional<std::string>();
}

Result<TlsConfig> parse_tls(const std::string& source, const YAML::Node& node) {
  if (!node.IsMap()) return at(source, node, "tls_server_config must be a map");
  if (auto error = unknown_key(source, node,
                               {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version"}))
    return *error;
  TlsConfig tls;
  auto cert_file = string_value(source, node, "cert_file");
  if (!cert_file) return cert_file.error();
  auto key_file = string_value(source, node, "key_file");
  if (!key_file) return key_file.error();
  if (!*cert_file || !*key_file) return at(source, node, "tls_server_config needs cert_file and key_file");
  tls.cert_file = std::move(**cert_file);
  tls.key_file = std::move(**key_file);
  auto type = string_value(source, node, "client_auth_type");
  if (!type) return type.error();
  if (*type) {
    if (**type == "RequireAndVerifyClientCert") tls.require_client_cert = true;
    else if (**type != "NoClientCert")
      return at(source, node["client_auth_type"],
                "client_auth_type \"" + **type + "\" is not supported (NoClientCert or RequireAndVerifyClientCert)");
  }
  auto client_ca_file = string_value(source, node, "client_ca_file");
  if (!client_ca_file) return client_ca_file.error();
  tls.client_ca_file = client_ca_file->value_or("");
  if (tls.require_client_cert && tls.client_ca_file.empty())
    return at(source, node, "client_auth_type RequireAndVerifyClientCert needs client_ca_file");
  auto version = string_value(source, node, "min_version");
  if (!version) return version.error();
  if (*version) {
    if (**version == "TLS12") tls.min_tls_minor_version = 2;
    else if (**version == "TLS13") tls.min_tls_minor_version = 3;
    else return at(source, node["min_version"], "min_version \"" + **version + "\" is not supported (TLS12 or TLS13)");
  }
  return tls;
}

// Compares without an early exit, so the time taken does not tell how much of a guess was right.
bool equal_in_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t index = 0; index < a.size(); ++index)
    difference |= static_cast<unsigned char>(a[index] ^ b[index]);
  return difference == 0;
}

}  // namespace

Result<WebConfig> parse_web_config(std::string_view yaml_text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::ParserException& error) {
    return Error{error.msg, line_of(source_name, error.mark)};
  }
  WebConfig config;
  if (root.IsNull()) return config;  // an empty file: plain HTTP, no auth
  if (!root.IsMap()) return at(source_name, root, "expected a map with tls_server_config and/or basic_auth_users");
  try {
    if (auto error = unknown_key(source_name, root, {"tls_server_config", "basic_auth_users"})) return *error;
    if (const YAML::Node tls = root["tls_server_config"]) {
      auto parsed = parse_tls(source_name, tls);
      if (!parsed) return parsed.error();
      config.tls = std::move(*parsed);
    }
    if (const YAML::Node users = root["basic_auth_users"]) {
      if (!users.IsMap()) return at(source_name, users, "basic_auth_users must map user names to bcrypt hashes");
      for (const auto& user : users) {
        auto name = string_at(source_name, user.first, "a user name");
        if (!name) return name.error();
        if (!user.second.IsScalar())
          return at(source_name, user.first, "the password hash of \"" + *name + "\" must be a string");
        const std::string hash = user.second.Scalar();
        if (hash.rfind("$2", 0) != 0)
          return at(source_name, user.second, "password of \"" + *name + "\" is not a bcrypt hash");
        config.basic_auth_users[*name] = hash;
      }
    }
  } catch (const YAML::Exception& error) {
    return Error{error.msg, line_of(source_name, error.mark)};
  }
  return config;
}

Result<WebConfig> load_web_config_file(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) return Error{"cannot read", path, text.error().errno_value};
  return parse_web_config(*text, path);
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

bool BasicAuth::allows(std::string_view authorization) {
  constexpr std::string_view kScheme = "Basic ";
  if (authorization.substr(0, kScheme.size()) != kScheme) return false;
  const auto credentials = decode_base64(authorization.substr(kScheme.size()));
  if (!credentials) return false;
  const std::size_t colon = credentials->find(':');
  if (colon == std::string::npos) return false;
  const std::string user = credentials->substr(0, colon);
  const std::string password = credentials->substr(colon + 1);
  const auto hash = users_.find(user);
  if (hash == users_.end()) return false;
  // crypt_r reads a C string: "s3cret\0anything" would be checked as "s3cret". bcrypt cannot
  // take a NUL anyway, so no password that has one can match.
  if (password.find('\0') != std::string::npos) return false;

  std::lock_guard lock(mutex_);
  if (auto known = verified_.find(user); known != verified_.end() && equal_in_constant_time(known->second, password))
    return true;
  static thread_local crypt_data scratch;  // 32 KiB: too large for the stack of a server thread
  const char* computed = crypt_r(password.c_str(), hash->second.c_str(), &scratch);
  if (computed == nullptr || !equal_in_constant_time(hash->second, computed)) return false;
  verified_[user] = password;
  return true;
}

}  // namespace bpfproc
