#include "bpfproc/web/web_config.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <yaml-cpp/yaml.h>

#include "bpfproc/util/whole_file.h"
#include "bpfproc/web/tls_priority.h"

namespace bpfproc {
namespace {

Error at(const std::string& source, const YAML::Node& node, const std::string& reason) {
  return Error{reason, source + ":" + std::to_string(node.Mark().line + 1)};
}

// Keys of `node` outside `allowed` are errors: a misspelt key must not silently disable TLS.
std::optional<Error> unknown_key(const std::string& source, const YAML::Node& node,
                                 const std::set<std::string>& allowed) {
  for (const auto& entry : node) {
    // as<std::string>() would throw out of the loader on `? [a, b]`: an error with the line instead.
    if (!entry.first.IsScalar()) return at(source, entry.first, "a key must be a string");
    const std::string key = entry.first.Scalar();
    if (allowed.count(key) == 0) return at(source, entry.first, "unknown key \"" + key + "\"");
  }
  return std::nullopt;
}

// A scalar's text; a map or a list where a string belongs is an error with its line.
Result<std::string> scalar(const std::string& source, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) return at(source, node, key + " must be a string");
  return node.Scalar();
}

Result<std::vector<std::string>> scalar_list(const std::string& source, const YAML::Node& node, const std::string& key,
                                             bool (*known)(std::string_view), const std::string& what) {
  if (!node.IsSequence()) return at(source, node, key + " must be a list");
  std::vector<std::string> values;
  for (const YAML::Node& item : node) {
    auto value = scalar(source, item, key);
    if (!value) return value.error();
    if (!known(*value)) return at(source, item, what + " \"" + *value + "\" is not supported");
    values.push_back(*value);
  }
  return values;
}

Result<bool> boolean(const std::string& source, const YAML::Node& node, const std::string& key) {
  auto value = scalar(source, node, key);
  if (!value) return value.error();
  if (*value == "true") return true;
  if (*value == "false") return false;
  return at(source, node, key + " must be true or false");
}

Result<int> tls_version(const std::string& source, const YAML::Node& node, const std::string& key) {
  auto value = scalar(source, node, key);
  if (!value) return value.error();
  static const std::map<std::string, int> kVersions = {{"TLS10", 0}, {"TLS11", 1}, {"TLS12", 2}, {"TLS13", 3}};
  const auto found = kVersions.find(*value);
  if (found == kVersions.end())
    return at(source, node, key + " \"" + *value + "\" is not supported (TLS10, TLS11, TLS12 or TLS13)");
  return found->second;
}

Result<TlsConfig> parse_tls(const std::string& source, const YAML::Node& node) {
  if (!node.IsMap()) return at(source, node, "tls_server_config must be a map");
  if (auto error = unknown_key(source, node,
                               {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version",
                                "max_version", "cipher_suites", "curve_preferences", "prefer_server_cipher_suites"}))
    return *error;
  // An empty value's mark is the token after it, often the next line: name the key's line.
  for (const auto& entry : node)
    if (entry.second.IsNull() && entry.first.Scalar() != "client_ca_file")  // empty: no CA, as in Go
      return at(source, entry.first, entry.first.Scalar() + " is empty");
  TlsConfig tls;
  if (!node["cert_file"] || !node["key_file"])
    return at(source, node, "tls_server_config needs cert_file and key_file");
  for (const auto& [key, field] : {std::pair{"cert_file", &tls.cert_file}, std::pair{"key_file", &tls.key_file}}) {
    auto value = scalar(source, node[key], key);
    if (!value) return value.error();
    if (value->empty()) return at(source, node[key], std::string(key) + " is empty");
    *field = *value;
  }
  if (const YAML::Node type = node["client_auth_type"]) {
    auto value = scalar(source, type, "client_auth_type");
    if (!value) return value.error();
    static const std::map<std::string, ClientAuth> kPolicies = {
        {"NoClientCert", ClientAuth::kNoClientCert},
        {"RequestClientCert", ClientAuth::kRequestClientCert},
        {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
        {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
        {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert}};
    const auto found = kPolicies.find(*value);
    if (found == kPolicies.end())
      return at(source, type,
                "client_auth_type \"" + *value +
                    "\" is not supported (NoClientCert, RequestClientCert, RequireAnyClientCert, "
                    "VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
    tls.client_auth = found->second;
  }
  if (const YAML::Node ca = node["client_ca_file"]) {
    auto value = scalar(source, ca, "client_ca_file");
    if (!value) return value.error();
    tls.client_ca_file = *value;
    // As exporter-toolkit: a CA that nothing verifies against is a mistake, not a no-op.
    if (!tls.client_ca_file.empty() && !verifies_client_certificates(tls.client_auth))
      return at(source, ca,
                "client_ca_file needs a client_auth_type that verifies (VerifyClientCertIfGiven or "
                "RequireAndVerifyClientCert)");
  }
  if (verifies_client_certificates(tls.client_auth) && tls.client_ca_file.empty())
    return at(source, node, "a client_auth_type that verifies client certificates needs client_ca_file");
  if (const YAML::Node version = node["min_version"]) {
    auto minor = tls_version(source, version, "min_version");
    if (!minor) return minor.error();
    tls.min_tls_minor_version = *minor;
  }
  if (const YAML::Node version = node["max_version"]) {
    auto minor = tls_version(source, version, "max_version");
    if (!minor) return minor.error();
    tls.max_tls_minor_version = *minor;
  }
  if (tls.max_tls_minor_version < tls.min_tls_minor_version)
    return at(source, node, "max_version is below min_version");
  if (const YAML::Node suites = node["cipher_suites"]) {
    auto names = scalar_list(source, suites, "cipher_suites", known_cipher_suite, "cipher suite");
    if (!names) return names.error();
    tls.cipher_suites = std::move(*names);
  }
  if (const YAML::Node curves = node["curve_preferences"]) {
    auto names = scalar_list(source, curves, "curve_preferences", known_curve, "curve");
    if (!names) return names.error();
    tls.curve_preferences = std::move(*names);
  }
  if (const YAML::Node prefer = node["prefer_server_cipher_suites"]) {
    auto value = boolean(source, prefer, "prefer_server_cipher_suites");
    if (!value) return value.error();
    tls.prefer_server_cipher_suites = *value;
  }
  return tls;
}

Result<HttpServerConfig> parse_http_server(const std::string& source, const YAML::Node& node) {
  if (!node.IsMap()) return at(source, node, "http_server_config must be a map");
  if (auto error = unknown_key(source, node, {"headers", "http2"})) return *error;
  HttpServerConfig http;
  if (const YAML::Node http2 = node["http2"]) {
    auto value = boolean(source, http2, "http2");
    if (!value) return value.error();
    http.http2 = *value;
  }
  const YAML::Node headers = node["headers"];
  if (!headers || headers.IsNull()) return http;
  if (!headers.IsMap()) return at(source, headers, "headers must map header names to values");
  // exporter-toolkit's list: the header names exactly, and the values of those that are enumerations.
  static const std::map<std::string, std::vector<std::string>> kAllowed = {
      {"Strict-Transport-Security", {}}, {"X-Content-Type-Options", {"nosniff"}},
      {"X-Frame-Options", {"deny", "sameorigin"}}, {"X-XSS-Protection", {}}, {"Content-Security-Policy", {}}};
  for (const auto& entry : headers) {
    if (!entry.first.IsScalar()) return at(source, entry.first, "a header name must be a string");
    const std::string name = entry.first.Scalar();
    const auto allowed = kAllowed.find(name);
    if (allowed == kAllowed.end())
      return at(source, entry.first,
                "HTTP header \"" + name +
                    "\" can not be configured (Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, "
                    "X-XSS-Protection or Content-Security-Policy)");
    auto value = scalar(source, entry.second, name);
    if (!value) return value.error();
    // A line break would end the header and start another one of the client's choosing.
    if (value->find_first_of("\r\n") != std::string::npos) return at(source, entry.second, name + " has a line break");
    const auto& values = allowed->second;
    if (!values.empty() && std::find(values.begin(), values.end(), *value) == values.end()) {
      std::string expected;
      for (const std::string& one : values) expected += (expected.empty() ? "" : " or ") + one;
      return at(source, entry.second, "invalid value \"" + *value + "\" for " + name + " (" + expected + ")");
    }
    http.headers[name] = *value;
  }
  return http;
}

}  // namespace

Result<WebConfig> parse_web_config(std::string_view yaml_text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::ParserException& error) {
    return Error{error.msg, source_name + ":" + std::to_string(error.mark.line + 1)};
  }
  WebConfig config;
  if (root.IsNull()) return config;  // an empty file: plain HTTP, no auth
  if (!root.IsMap()) return at(source_name, root, "expected a map with tls_server_config and/or basic_auth_users");
  if (auto error = unknown_key(source_name, root, {"tls_server_config", "http_server_config", "basic_auth_users"}))
    return *error;
  try {
    if (const YAML::Node tls = root["tls_server_config"]) {
      auto parsed = parse_tls(source_name, tls);
      if (!parsed) return parsed.error();
      config.tls = std::move(*parsed);
    }
    if (const YAML::Node http = root["http_server_config"]) {
      auto parsed = parse_http_server(source_name, http);
      if (!parsed) return parsed.error();
      config.http_server = std::move(*parsed);
    }
    if (const YAML::Node users = root["basic_auth_users"]) {
      if (!users.IsMap()) return at(source_name, users, "basic_auth_users must map user names to bcrypt hashes");
      for (const auto& user : users) {
        if (!user.first.IsScalar()) return at(source_name, user.first, "a user name must be a string");
        if (user.second.IsNull()) return at(source_name, user.first, "password of \"" + user.first.Scalar() + "\" is empty");
        auto hash_text = scalar(source_name, user.second, "password of \"" + user.first.Scalar() + "\"");
        if (!hash_text) return hash_text.error();
        const std::string hash = *hash_text;
        if (hash.rfind("$2", 0) != 0)
          return at(source_name, user.second, "password of \"" + user.first.Scalar() + "\" is not a bcrypt hash");
        config.basic_auth_users[user.first.Scalar()] = hash;
      }
    }
  } catch (const YAML::Exception& error) {
    return Error{error.msg, source_name + ":" + std::to_string(error.mark.line + 1)};
  }
  return config;
}

Result<WebConfig> load_web_config_file(const std::string& path) {
  auto text = read_regular_file(path);
  if (!text) return Error{"cannot read" + (text.error().errno_value == 0 ? ": " + text.error().what : ""), path,
                          text.error().errno_value};
  auto config = parse_web_config(*text, path);
  if (config && config->tls) {
    // As exporter-toolkit: a relative path is relative to the web config's directory, not to
    // wherever the daemon was started, so that one file means the same to every exporter.
    const std::filesystem::path directory = std::filesystem::path(path).parent_path();
    for (std::string* file : {&config->tls->cert_file, &config->tls->key_file, &config->tls->client_ca_file})
      if (!file->empty() && !file->starts_with('/')) *file = (directory / *file).string();
  }
  return config;
}

bool verifies_client_certificates(ClientAuth client_auth) {
  return client_auth == ClientAuth::kVerifyClientCertIfGiven || client_auth == ClientAuth::kRequireAndVerifyClientCert;
}

}  // namespace bpfproc
