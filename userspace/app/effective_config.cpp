#include "bpfproc/app/effective_config.h"

#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "bpfproc/util/version.h"

namespace bpfproc {
namespace {

constexpr const char* kSecret = "<secret>";  // as Prometheus shows secrets

void emit_flags(YAML::Emitter& out, const DaemonFlags& flags) {
  out << YAML::Key << "flags" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "web.listen-address" << YAML::Value << flags.web.listen_addresses;
  out << YAML::Key << "web.telemetry-path" << YAML::Value << flags.web.telemetry_path;
  out << YAML::Key << "web.config.file" << YAML::Value << flags.web_config_file;
  out << YAML::Key << "config.file" << YAML::Value << flags.config_file;
  out << YAML::Key << "memory.interval" << YAML::Value << flags.memory_interval;
  out << YAML::Key << "memory.max-age" << YAML::Value << flags.memory_max_age;
  out << YAML::Key << "memory.budget" << YAML::Value << flags.memory_budget;
  out << YAML::Key << "memory.threads" << YAML::Value << flags.memory_threads;
  out << YAML::Key << "memory.min-rss" << YAML::Value << flags.memory_min_rss;
  out << YAML::Key << "collection.interval" << YAML::Value << flags.collection_interval;
  out << YAML::Key << "collection.max-age" << YAML::Value << flags.collection_max_age;
  out << YAML::Key << "group.retention" << YAML::Value << flags.group_retention;
  out << YAML::Key << "label.max-length" << YAML::Value << flags.label_max_length;
  out << YAML::Key << "series.limit" << YAML::Value << flags.series_limit;
  out << YAML::Key << "threads" << YAML::Value << flags.threads;
  out << YAML::Key << "group.cgroup-label" << YAML::Value << flags.cgroup_label;
  out << YAML::Key << "process.top-n" << YAML::Value << flags.process_top_n;
  out << YAML::Key << "process.max-tracked" << YAML::Value << flags.max_tracked_processes;
  out << YAML::Key << "compat.process-exporter" << YAML::Value << flags.process_exporter_compat;
  for (const auto& [name, enabled] : flags.collectors)
    out << YAML::Key << "collector." + name << YAML::Value << enabled;
  out << YAML::Key << "collector.host.filesystem.mount-timeout" << YAML::Value << flags.filesystem_mount_timeout;
  const HostFilters& filters = flags.host_filters;
  out << YAML::Key << "collector.host.filesystem.mount-points-exclude" << YAML::Value << filters.mount_points_exclude;
  out << YAML::Key << "collector.host.filesystem.fs-types-exclude" << YAML::Value << filters.fs_types_exclude;
  out << YAML::Key << "collector.host.disk.device-exclude" << YAML::Value << filters.disk.exclude;
  out << YAML::Key << "collector.host.disk.device-include" << YAML::Value << filters.disk.include;
  out << YAML::Key << "collector.host.network.device-exclude" << YAML::Value << filters.network.exclude;
  out << YAML::Key << "collector.host.network.device-include" << YAML::Value << filters.network.include;
  out << YAML::Key << "runqueue-latency.buckets" << YAML::Value << flags.runqueue_latency_buckets;
  out << YAML::Key << "bpf.stats" << YAML::Value << flags.bpf_stats;
  out << YAML::Key << "bpf.ringbuf-bytes" << YAML::Value << flags.events_ring_bytes;
  out << YAML::Key << "run-as" << YAML::Value << flags.run_as;
  out << YAML::Key << "log.level" << YAML::Value << flags.log_level;
  out << YAML::Key << "path.procfs" << YAML::Value << flags.procfs;
  out << YAML::Key << "path.rootfs" << YAML::Value << flags.rootfs;
  out << YAML::Key << "path.udev.data" << YAML::Value << flags.udev_data;
  const RemoteWriteFlags& push = flags.remote_write;
  out << YAML::Key << "remote-write.url" << YAML::Value << push.urls;
  out << YAML::Key << "remote-write.interval" << YAML::Value << push.interval;
  out << YAML::Key << "remote-write.queue-duration" << YAML::Value << push.queue_duration;
  out << YAML::Key << "remote-write.timeout" << YAML::Value << push.timeout;
  out << YAML::Key << "remote-write.basic-auth.username" << YAML::Value << push.basic_auth_username;
  out << YAML::Key << "remote-write.basic-auth.password-file" << YAML::Value << push.basic_auth_password_file;
  out << YAML::Key << "remote-write.bearer-token-file" << YAML::Value << push.bearer_token_file;
  out << YAML::Key << "remote-write.tls.ca-file" << YAML::Value << push.tls_ca_file;
  out << YAML::Key << "remote-write.tls.cert-file" << YAML::Value << push.tls_cert_file;
  out << YAML::Key << "remote-write.tls.key-file" << YAML::Value << push.tls_key_file;
  // A header may carry a credential (Authorization): its name only.
  std::vector<std::string> headers;
  for (const std::string& header : push.headers) headers.push_back(header.substr(0, header.find(':')) + ": " + kSecret);
  out << YAML::Key << "remote-write.header" << YAML::Value << headers;
  out << YAML::Key << "label" << YAML::Value << push.labels;
  out << YAML::EndMap;
}

// Block style all the way down: yaml-cpp 0.7 writes some scalars unquoted in flow style that no
// YAML reader takes back (":9435" in a flow list).
void block_style(YAML::Node node) {
  if (!node.IsMap() && !node.IsSequence()) return;
  node.SetStyle(YAML::EmitterStyle::Block);
  for (auto entry : node) block_style(node.IsMap() ? entry.second : entry);
}

// The rules as written (they parsed, so the document loads), with the top-level settings that
// were left to their defaults filled in.
void emit_rules(YAML::Emitter& out, const Config& rules) {
  YAML::Node document = YAML::Load(rules.document);
  block_style(document);
  if (!document["children"]) document["children"] = rules.children;
  if (!document["kernel_threads"]) document["kernel_threads"] = rules.kernel_threads;
  out << YAML::Key << "config" << YAML::Value << document;
  // --threads and a rule's threads: true, as the daemon applies them.
  out << YAML::Key << "threads_by_name" << YAML::Value << rules.any_threads();
}

const char* client_auth_name(ClientAuth client_auth) {
  switch (client_auth) {
    case ClientAuth::kNoClientCert: return "NoClientCert";
    case ClientAuth::kRequestClientCert: return "RequestClientCert";
    case ClientAuth::kRequireAnyClientCert: return "RequireAnyClientCert";
    case ClientAuth::kVerifyClientCertIfGiven: return "VerifyClientCertIfGiven";
    case ClientAuth::kRequireAndVerifyClientCert: return "RequireAndVerifyClientCert";
  }
  return "NoClientCert";
}

void emit_web(YAML::Emitter& out, const WebConfig& web) {
  out << YAML::Key << "web_config" << YAML::Value << YAML::BeginMap;
  if (web.tls) {
    const TlsConfig& tls = *web.tls;
    out << YAML::Key << "tls_server_config" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "cert_file" << YAML::Value << tls.cert_file;
    out << YAML::Key << "key_file" << YAML::Value << tls.key_file;
    out << YAML::Key << "client_auth_type" << YAML::Value << client_auth_name(tls.client_auth);
    out << YAML::Key << "client_ca_file" << YAML::Value << tls.client_ca_file;
    out << YAML::Key << "min_version" << YAML::Value << "TLS1" + std::to_string(tls.min_tls_minor_version);
    out << YAML::Key << "max_version" << YAML::Value << "TLS1" + std::to_string(tls.max_tls_minor_version);
    out << YAML::Key << "cipher_suites" << YAML::Value << tls.cipher_suites;
    out << YAML::Key << "curve_preferences" << YAML::Value << tls.curve_preferences;
    out << YAML::Key << "prefer_server_cipher_suites" << YAML::Value << tls.prefer_server_cipher_suites;
    out << YAML::EndMap;
  }
  out << YAML::Key << "http_server_config" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "http2" << YAML::Value << web.http_server.http2;
  out << YAML::Key << "headers" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : web.http_server.headers) out << YAML::Key << name << YAML::Value << value;
  out << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "basic_auth_users" << YAML::Value << YAML::BeginMap;
  for (const auto& [user, hash] : web.basic_auth_users) out << YAML::Key << user << YAML::Value << kSecret;
  out << YAML::EndMap;
  out << YAML::EndMap;
}

// What EffectiveConfig keeps of rules: no compiled rule, only what is shown.
Config shown_part(const Config& rules) {
  Config kept;
  kept.children = rules.children;
  kept.kernel_threads = rules.kernel_threads;
  kept.threads = rules.any_threads();
  kept.document = rules.document;
  return kept;
}

}  // namespace

std::string effective_config_yaml(const DaemonFlags& flags, const Config& rules, const WebConfig& web) {
  YAML::Emitter out;
  out << YAML::Comment(std::string("bpfproc ") + kVersion + ": the configuration in force");
  out << YAML::BeginMap;
  emit_flags(out, flags);
  emit_rules(out, rules);
  emit_web(out, web);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

EffectiveConfig::EffectiveConfig(DaemonFlags flags, const Config& rules, WebConfig web)
    : flags_(std::move(flags)), rules_(shown_part(rules)), web_(std::move(web)) {}

void EffectiveConfig::reloaded(const Config* rules, const WebConfig* web) {
  std::lock_guard lock(mutex_);
  if (rules != nullptr) rules_ = shown_part(*rules);
  if (web != nullptr) web_ = *web;
}

std::string EffectiveConfig::yaml() const {
  std::lock_guard lock(mutex_);
  return effective_config_yaml(flags_, rules_, web_);
}

}  // namespace bpfproc
