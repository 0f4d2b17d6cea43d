#include "bpfproc/app/config_check.h"

#include <cstdio>

#include <yaml-cpp/yaml.h>

#include "bpfproc/collectors/sources/source_config.h"
#include "bpfproc/grouping/config.h"
#include "bpfproc/push/remote_write_config.h"
#include "bpfproc/util/exit_status.h"
#include "bpfproc/util/result.h"
#include "bpfproc/util/whole_file.h"
#include "bpfproc/web/tls_context.h"
#include "bpfproc/web/web_config.h"

namespace bpfproc {
namespace {

// check-config tells the two kinds of file apart by their keys: a web config has only the
// exporter-toolkit's; anything else (process_names, or a file that does not parse) is checked as
// grouping rules, whose errors then say what is wrong.
bool is_web_config(const std::string& text) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap() || root["process_names"]) return false;
    for (const auto& entry : root) {
      if (!entry.first.IsScalar()) return false;
      const std::string& key = entry.first.Scalar();
      if (key == "tls_server_config" || key == "http_server_config" || key == "basic_auth_users") return true;
    }
  } catch (const YAML::Exception&) {
  }
  return false;
}

// One file of check-config: a summary of what it holds, or its first error. Warnings (keys the
// grouping config ignores) are errors here: pipelines run it to catch them.
Result<std::string> check_config_file(const std::string& file) {
  auto text = read_regular_file(file);
  if (!text) return Error{"cannot read" + (text.error().errno_value == 0 ? ": " + text.error().what : ""), file,
                          text.error().errno_value};
  if (is_web_config(*text)) {
    auto web = load_web_config_file(file);  // as the daemon loads it: relative paths are the file's
    if (!web) return web.error();
    if (web->tls)
      if (auto tls = TlsContext::load(*web->tls); !tls) return tls.error();
    return "web config: " + std::string(web->tls ? "TLS" : "plain HTTP") + ", " +
           std::to_string(web->basic_auth_users.size()) + " basic auth users, " +
           std::to_string(web->http_server.headers.size()) + " headers";
  }
  auto config = parse_config(*text, file);
  if (!config) return config.error();
  if (!config->warnings.empty()) return Error{config->warnings_line(), ""};
  // Without the daemon's --collection.interval, a service's interval is not held to it here
  // (the daemon checks that at start); everything else is checked as the daemon checks it.
  auto sources = parse_sources(*text, file, std::chrono::milliseconds(0));
  if (!sources) return sources.error();
  if (sources->has_commands())
    if (auto owner = check_command_config_owner(file); !owner) return owner.error();
  // Its remote_write: section, checked as the daemon checks it (the host identity is not needed).
  RemoteWriteFlags remote_write;
  if (auto section = apply_remote_write_config(*text, file, remote_write); !section) return section.error();
  auto push = remote_write_options(remote_write, "/", "");
  if (!push) return push.error();
  std::string summary = "grouping config: " + std::to_string(config->rules.size()) + " rules";
  if (!sources->sources.empty()) summary += ", " + std::to_string(sources->sources.size()) + " custom metric sources";
  if (push->enabled()) summary += ", " + std::to_string(push->receivers.size()) + " remote_write receivers";
  return summary;
}

}  // namespace

int run_check_config(const std::vector<std::string>& files) {
  bool all_ok = true;
  for (const std::string& file : files) {
    auto summary = check_config_file(file);
    if (summary) {
      std::printf("%s: ok, %s\n", file.c_str(), summary->c_str());
    } else {
      std::fprintf(stderr, "bpfproc: %s\n", summary.error().message().c_str());
      all_ok = false;
    }
  }
  return all_ok ? 0 : kExitBadInput;
}

}  // namespace bpfproc
