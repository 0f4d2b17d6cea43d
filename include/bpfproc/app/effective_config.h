#pragma once
// The configuration in force as one YAML document, for `bpfproc show-config` and /config: every
// flag with its value (defaults included), the grouping rules with bpfproc's own settings filled
// in, and the web config with every default, its password hashes shown as <secret> (file paths
// are shown, never what the files hold).
#include <mutex>
#include <string>

#include "bpfproc/app/daemon.h"
#include "bpfproc/grouping/config.h"
#include "bpfproc/web/web_config.h"

namespace bpfproc {

std::string effective_config_yaml(const DaemonFlags& flags, const Config& rules, const WebConfig& web);

// What /config serves: the start's configuration, replaced by each reload that succeeds. Any
// thread.
class EffectiveConfig {
 public:
  EffectiveConfig(DaemonFlags flags, const Config& rules, WebConfig web);
  // After a reload: the files given again (absent pointers: the file is not in use).
  void reloaded(const Config* rules, const WebConfig* web);
  std::string yaml() const;

 private:
  const DaemonFlags flags_;
  mutable std::mutex mutex_;
  Config rules_;  // without its rules: only the document and the top-level settings are shown
  WebConfig web_;
};

}  // namespace bpfproc
