#include "bpfproc/push/remote_write_config.h"

#include <yaml-cpp/yaml.h>

#include <map>

namespace bpfproc {
namespace {

Error error_at(const std::string& source, const YAML::Mark& mark, std::string reason) {
  return Error{std::move(reason), source + ":" + std::to_string(mark.is_null() ? 1 : mark.line + 1), 0};
}

// A scalar, or a map of scalars; a section of the file, checked for keys it does not know.
class Section {
 public:
  Section(const std::string& source, const YAML::Node& node, const char* name) : source_(source), node_(node), name_(name) {}

  Status check(std::initializer_list<const char*> known) const {
    if (!node_.IsMap()) return error_at(source_, node_.Mark(), std::string(name_) + " must be a map");
    for (const auto& entry : node_) {
      const std::string key = entry.first.Scalar();
      if (std::none_of(known.begin(), known.end(), [&](const char* name) { return key == name; }))
        return error_at(source_, entry.first.Mark(), "unknown key \"" + key + "\" in " + name_);
    }
    return Ok{};
  }

  // Sets `target` from `key` unless the flag already holds something other than its default.
  Status scalar(const char* key, std::string& target, const std::string& flag_default = "") const {
    const YAML::Node value = node_[key];
    if (!value) return Ok{};
    if (!value.IsScalar()) return error_at(source_, value.Mark(), std::string(name_) + "." + key + " must be a string");
    if (target == flag_default) target = value.Scalar();
    return Ok{};
  }

 private:
  const std::string& source_;
  YAML::Node node_;
  const char* name_;
};

}  // namespace

Status apply_remote_write_config(const std::string& document, const std::string& source, RemoteWriteFlags& flags) {
  YAML::Node root;
  try {
    root = YAML::Load(document);
  } catch (const YAML::Exception& error) {
    return error_at(source, error.mark, error.msg);
  }
  if (!root.IsMap() || !root["remote_write"]) return Ok{};
  const YAML::Node node = root["remote_write"];
  const Section section(source, node, "remote_write");
  const RemoteWriteFlags defaults;
  if (auto known = section.check({"url", "interval", "queue_duration", "timeout", "basic_auth", "bearer_token_file",
                                  "tls_config", "headers", "external_labels"});
      !known)
    return known;

  if (const YAML::Node urls = node["url"]; urls && flags.urls.empty()) {
    if (urls.IsScalar()) {
      flags.urls.push_back(urls.Scalar());
    } else if (urls.IsSequence()) {
      for (const YAML::Node& url : urls) {
        if (!url.IsScalar()) return error_at(source, url.Mark(), "remote_write.url entries must be strings");
        flags.urls.push_back(url.Scalar());
      }
    } else {
      return error_at(source, urls.Mark(), "remote_write.url must be a URL or a list of URLs");
    }
  }
  for (const auto& status : {section.scalar("interval", flags.interval, defaults.interval),
                             section.scalar("queue_duration", flags.queue_duration, defaults.queue_duration),
                             section.scalar("timeout", flags.timeout, defaults.timeout),
                             section.scalar("bearer_token_file", flags.bearer_token_file)})
    if (!status) return status;
  if (const YAML::Node auth = node["basic_auth"]) {
    const Section basic_auth(source, auth, "remote_write.basic_auth");
    if (auto known = basic_auth.check({"username", "password_file"}); !known) return known;
    if (auto status = basic_auth.scalar("username", flags.basic_auth_username); !status) return status;
    if (auto status = basic_auth.scalar("password_file", flags.basic_auth_password_file); !status) return status;
  }
  if (const YAML::Node tls = node["tls_config"]) {
    const Section tls_config(source, tls, "remote_write.tls_config");
    if (auto known = tls_config.check({"ca_file", "cert_file", "key_file"}); !known) return known;
    for (const auto& status : {tls_config.scalar("ca_file", flags.tls_ca_file),
                               tls_config.scalar("cert_file", flags.tls_cert_file),
                               tls_config.scalar("key_file", flags.tls_key_file)})
      if (!status) return status;
  }
  // name: value maps, in the flags' "Name: value" and name=value forms (checked there).
  auto pairs = [&](const char* key, std::vector<std::string>& target, const char* separator) -> Status {
    const YAML::Node map = node[key];
    if (!map || !target.empty()) return Ok{};
    if (!map.IsMap()) return error_at(source, map.Mark(), std::string("remote_write.") + key + " must be a map");
    for (const auto& entry : map) {
      if (!entry.first.IsScalar() || !entry.second.IsScalar())
        return error_at(source, entry.first.Mark(), std::string("remote_write.") + key + " values must be strings");
      target.push_back(entry.first.Scalar() + separator + entry.second.Scalar());
    }
    return Ok{};
  };
  if (auto status = pairs("headers", flags.headers, ": "); !status) return status;
  return pairs("external_labels", flags.labels, "=");
}

}  // namespace bpfproc
