#pragma once
// SIGHUP: reads --config.file and --web.config.file again and puts them in force together, or
// neither. A file that cannot be read, does not parse, or has a key bpfproc does not know is
// rejected with one error line ("<file>:<line>: <reason>") and the configuration in force keeps
// serving; bpfproc_exporter_config_last_reload_successful says which happened.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "bpfproc/app/exporter.h"
#include "bpfproc/grouping/config.h"
#include "bpfproc/util/result.h"
#include "bpfproc/web/web_config.h"

namespace bpfproc {

struct ReloadFiles {
  std::string config_file;      // --config.file; empty: the embedded default, which never changes
  std::string web_config_file;  // --web.config.file; empty: none, nothing to reload
  std::size_t series_limit = 0;
  bool series_limit_given = false;  // --series.limit was on the command line
  bool threads = false;  // --threads: every group broken down by thread name, whatever the rules say
  CgroupLabel cgroup_label = CgroupLabel::none;  // --group.cgroup-label, whatever the file says
};

// The files as a reload reads them, checked; absent for a file not given.
struct ReloadedFiles {
  std::optional<Config> rules;
  std::optional<WebConfig> web_config;
};
// Whether rules can be put in force in the running daemon (ProcessTracker::check_reconfigure).
using CheckRules = std::function<Status(const Config& rules)>;
// Reads and checks both files; the error is one line naming the file (and line) and the reason.
// Unlike at start, a key bpfproc does not know is an error: a running daemon has a configuration
// that works, and a typo must not replace it with one that silently drops a setting.
Result<ReloadedFiles> read_reload_files(const ReloadFiles& files, const CheckRules& check_rules);

// Puts a checked web config in force in the web server (WebServer::reconfigure). Its error
// rejects the whole reload, so it must leave the server as it was when it fails.
using ApplyWebConfig = std::function<Status(const WebConfig& config)>;
// Told what a successful reload put in force (null: that file is not in use), e.g. for /config.
using ReloadApplied = std::function<void(const Config* rules, const WebConfig* web_config)>;

class ConfigReloader {
 public:
  ConfigReloader(ReloadFiles files, Exporter& exporter, ApplyWebConfig apply_web_config,
                 ReloadApplied applied = {});

  // Reads and checks both files, then applies the web config, then the grouping rules (which
  // cannot fail once checked). Logs the outcome; the error is the line it logged. Returns once
  // a collection under the new rules is published, so the next scrape shows them.
  Status reload();

 private:
  ReloadFiles files_;
  Exporter& exporter_;
  ApplyWebConfig apply_web_config_;
  ReloadApplied applied_;
};

// Warns, once per rule, of group names that can make one group per process while only the
// default --series.limit bounds them.
void warn_per_process_names(const Config& config, const ReloadFiles& files);

}  // namespace bpfproc
