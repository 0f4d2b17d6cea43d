#include "bpfproc/app/config_reloader.h"

#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

#include "bpfproc/collectors/sources/source_config.h"

namespace bpfproc {

void warn_per_process_names(const Config& config, const ReloadFiles& files) {
  // Up to one group per process ({{.PID}}, {{.StartTime}}, {{.Cwd}}): the default series limit
  // is all that bounds them, and it drops groups. An operator who chose a limit has seen this.
  if (files.series_limit_given) return;
  for (const std::string& name : config.per_process_names())
    spdlog::warn("{}: the group name \"{}\" can make one group per process; only --series.limit {} bounds "
                 "their series (give --series.limit to choose it)",
                 files.config_file, name, files.series_limit);
}

ConfigReloader::ConfigReloader(ReloadFiles files, Exporter& exporter, ApplyWebConfig apply_web_config,
                               ReloadApplied applied)
    : files_(std::move(files)),
      exporter_(exporter),
      apply_web_config_(std::move(apply_web_config)),
      applied_(std::move(applied)) {}

Result<ReloadedFiles> read_reload_files(const ReloadFiles& files, const CheckRules& check_rules) {
  ReloadedFiles read;
  if (!files.config_file.empty()) {
    auto rules = load_config_file(files.config_file);
    if (!rules) return rules.error();
    if (!rules->warnings.empty()) return Error{rules->warnings_line(), ""};
    rules->threads = rules->threads || files.threads;
    // The sources: section is put in force at start only, but a file the next start would refuse
    // is refused now too (intervals against --collection.interval are left to that start).
    if (auto sources = parse_sources(rules->document, files.config_file, std::chrono::milliseconds(0)); !sources)
      return sources.error();
    rules->cgroup_label = files.cgroup_label;
    if (check_rules) {
      if (auto fits = check_rules(*rules); !fits) return Error{fits.error().message(), files.config_file};
    }
    read.rules = std::move(*rules);
  }
  if (!files.web_config_file.empty()) {
    auto web_config = load_web_config_file(files.web_config_file);
    if (!web_config) return web_config.error();
    read.web_config = std::move(*web_config);
  }
  return read;
}

Status ConfigReloader::reload() {
  const auto reject = [this](const Error& error) -> Status {
    spdlog::error("reload rejected, the previous configuration stays in force: {}", error.message());
    exporter_.record_reload(false);
    // Published now, so that a scrape right after the signal sees the failure.
    exporter_.publisher().collect_and_wait();
    return error;
  };
  auto read = read_reload_files(files_, [this](const Config& rules) { return exporter_.tracker().check_reconfigure(rules); });
  if (!read) return reject(read.error());
  if (read->web_config && apply_web_config_) {
    if (auto applied = apply_web_config_(*read->web_config); !applied) return reject(applied.error());
  }
  if (applied_) applied_(read->rules ? &*read->rules : nullptr, read->web_config ? &*read->web_config : nullptr);
  if (read->rules) {
    warn_per_process_names(*read->rules, files_);
    exporter_.tracker().reconfigure(std::move(*read->rules));
  }
  exporter_.record_reload(true);
  exporter_.publisher().collect_and_wait();
  spdlog::info("reloaded {}{}{}", files_.config_file.empty() ? "" : files_.config_file,
               !files_.config_file.empty() && !files_.web_config_file.empty() ? " and " : "",
               files_.web_config_file);
  return Ok{};
}

}  // namespace bpfproc
