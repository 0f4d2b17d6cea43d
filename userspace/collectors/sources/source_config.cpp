// Parsing and checking the `sources:` section of the config file (see source_config.h).
#include "bpfproc/collectors/sources/source_config.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <map>
#include <set>

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "bpfproc/collectors/sources/content.h"
#include "bpfproc/util/duration.h"

namespace bpfproc {

bool SourcesConfig::has_commands() const {
  for (const SourceDefinition& source : sources)
    if (source.type == SourceType::kCommand) return true;
  return false;
}

bool SourcesConfig::has_run_as() const {
  for (const SourceDefinition& source : sources)
    if (source.run_as) return true;
  return false;
}

std::chrono::milliseconds effective_interval(std::chrono::milliseconds asked, std::chrono::milliseconds base) {
  if (base.count() <= 0) return asked;
  const auto cycles = std::max<std::chrono::milliseconds::rep>(1, (asked.count() + base.count() - 1) / base.count());
  return base * cycles;
}

namespace {

// Names bpfproc serves itself; a custom metric under them would collide with its own series.
constexpr const char* kReservedPrefixes[] = {"bpfproc_", "namedprocess_", "process_"};

class SourcesParser {
 public:
  SourcesParser(std::string source_name, std::chrono::milliseconds base)
      : source_name_(std::move(source_name)), base_(base) {}

  Error error_at(const YAML::Mark& mark, std::string reason) const {
    const int line = mark.is_null() ? 1 : mark.line + 1;
    return Error{std::move(reason), source_name_ + ":" + std::to_string(line), 0};
  }

  Result<SourcesConfig> parse(const YAML::Node& root) {
    SourcesConfig config;
    if (!root.IsMap() || !root["sources"]) return config;
    const YAML::Node services = root["sources"];
    if (!services.IsSequence()) return error_at(services.Mark(), "sources must be a list of services");
    std::set<std::string> service_names;
    for (const YAML::Node& service : services) {
      auto status = parse_service(service, service_names, config);
      if (!status) return status.error();
    }
    return config;
  }

 private:
  using Keys = std::map<std::string, YAML::Node>;

  // The map's entries by key; keys outside `allowed` and repeated keys are errors.
  Result<Keys> keys_of(const YAML::Node& node, const std::set<std::string>& allowed, const char* what) const {
    std::string expected;
    for (const std::string& key : allowed) expected += (expected.empty() ? "" : ", ") + key;
    if (!node.IsMap()) return error_at(node.Mark(), std::string(what) + " must be a map with " + expected);
    Keys keys;
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) return error_at(key.Mark(), std::string("keys of ") + what + " must be strings");
      if (!allowed.contains(key.Scalar()))
        return error_at(key.Mark(), "unknown key \"" + key.Scalar() + "\" in " + what + " (expected " + expected + ")");
      if (!keys.emplace(key.Scalar(), entry.second).second)
        return error_at(key.Mark(), "duplicate key \"" + key.Scalar() + "\"");
    }
    return keys;
  }

  Result<std::string> scalar(const Keys& keys, const std::string& key, const YAML::Node& parent) const {
    const auto found = keys.find(key);
    if (found == keys.end()) return error_at(parent.Mark(), "missing " + key);
    if (!found->second.IsScalar() || found->second.Scalar().empty())
      return error_at(found->second.Mark(), key + " must be a non-empty string");
    return found->second.Scalar();
  }

  Result<std::chrono::milliseconds> duration(const YAML::Node& value, const std::string& key) const {
    if (!value.IsScalar()) return error_at(value.Mark(), key + " must be a duration (30s, 1m30s)");
    auto parsed = parse_duration(value.Scalar());
    if (!parsed || parsed->count() <= 0)
      return error_at(value.Mark(), key + " \"" + value.Scalar() + "\": must be a positive duration (30s, 1m30s)");
    return *parsed;
  }

  Result<double> number(const YAML::Node& value, const std::string& key) const {
    std::optional<double> parsed = value.IsScalar() ? parse_number(value.Scalar()) : std::nullopt;
    if (!parsed) return error_at(value.Mark(), key + " must be a number");
    return *parsed;
  }

  Status parse_service(const YAML::Node& node, std::set<std::string>& service_names, SourcesConfig& config) const {
    auto keys = keys_of(node, {"service", "interval", "sources"}, "a service");
    if (!keys) return keys.error();
    auto service = scalar(*keys, "service", node);
    if (!service) return service.error();
    if (!service_names.insert(*service).second)
      return error_at(node.Mark(), "service \"" + *service + "\" is declared twice");
    std::chrono::milliseconds interval = base_;
    if (keys->contains("interval")) {
      auto asked = duration(keys->at("interval"), "interval");
      if (!asked) return asked.error();
      if (*asked < base_)
        return error_at(keys->at("interval").Mark(),
                        "service " + *service + ": interval " + keys->at("interval").Scalar() +
                            " is below the collection interval (--collection.interval, " +
                            std::to_string(base_.count()) + " ms)");
      interval = *asked;
    }
    if (!keys->contains("sources") || !keys->at("sources").IsSequence() || keys->at("sources").size() == 0)
      return error_at(node.Mark(), "service " + *service + ": sources must be a non-empty list");
    std::set<std::string> source_names;
    for (const YAML::Node& source_node : keys->at("sources")) {
      auto source = parse_source(source_node, *service, interval);
      if (!source) return source.error();
      if (!source_names.insert(source->name).second)
        return error_at(source_node.Mark(), "service " + *service + ": source \"" + source->name + "\" is declared twice");
      if (auto unique = check_series(*source); !unique) return unique.error();
      config.sources.push_back(std::move(*source));
    }
    return Ok{};
  }

  Result<SourceDefinition> parse_source(const YAML::Node& node, const std::string& service,
                                        std::chrono::milliseconds service_interval) const {
    auto keys = keys_of(node,
                        {"name", "type", "content", "command", "run_as", "path", "url", "prefix", "interval",
                         "timeout", "max_age", "output_limit", "metrics"},
                        "a source");
    if (!keys) return keys.error();
    SourceDefinition source;
    source.service = service;
    source.line = node.Mark().line + 1;
    auto name = scalar(*keys, "name", node);
    if (!name) return name.error();
    source.name = *name;
    auto type = scalar(*keys, "type", node);
    if (!type) return type.error();
    static const std::map<std::string, SourceType> kTypes{
        {"command", SourceType::kCommand}, {"file", SourceType::kFile}, {"http", SourceType::kHttp}, {"static", SourceType::kStatic}};
    if (!kTypes.contains(*type))
      return error_at(keys->at("type").Mark(), "unknown source type \"" + *type + "\" (expected command, file, http or static)");
    source.type = kTypes.at(*type);

    // Keys that belong to one source type only.
    const std::pair<const char*, SourceType> kOwnKeys[] = {
        {"command", SourceType::kCommand}, {"run_as", SourceType::kCommand}, {"path", SourceType::kFile}, {"url", SourceType::kHttp}};
    for (const auto& [key, owner] : kOwnKeys)
      if (keys->contains(key) && source.type != owner)
        return error_at(keys->at(key).Mark(), std::string(key) + " does not apply to a " + *type + " source");

    if (source.type == SourceType::kStatic) {
      if (keys->contains("content")) return error_at(keys->at("content").Mark(), "a static source has no content");
    } else {
      auto content = scalar(*keys, "content", node);
      if (!content) return content.error();
      static const std::map<std::string, ContentType> kContents{
          {"text", ContentType::kText}, {"json", ContentType::kJson}, {"xml", ContentType::kXml}, {"prometheus", ContentType::kPrometheus}};
      if (!kContents.contains(*content))
        return error_at(keys->at("content").Mark(), "unknown content type \"" + *content + "\" (expected text, json, xml or prometheus)");
      source.content = kContents.at(*content);
    }

    switch (source.type) {
      case SourceType::kCommand: {
        if (!keys->contains("command")) return error_at(node.Mark(), "missing command");
        const YAML::Node& command = keys->at("command");
        if (!command.IsSequence() || command.size() == 0)
          return error_at(command.Mark(), "command must be a non-empty list: the program's absolute path, then its arguments");
        for (const YAML::Node& argument : command) {
          if (!argument.IsScalar()) return error_at(argument.Mark(), "command arguments must be strings");
          source.command.push_back(argument.Scalar());
        }
        if (!source.command.front().starts_with('/'))
          return error_at(command.Mark(), "command \"" + source.command.front() +
                                              "\": the program must be an absolute path (it is run without a shell or PATH search)");
        if (keys->contains("run_as")) {
          auto run_as = parse_run_as(keys->at("run_as"));
          if (!run_as) return run_as.error();
          source.run_as = std::move(*run_as);
        }
        break;
      }
      case SourceType::kFile: {
        auto path = scalar(*keys, "path", node);
        if (!path) return path.error();
        if (!path->starts_with('/')) return error_at(keys->at("path").Mark(), "path must be absolute");
        source.path = *path;
        break;
      }
      case SourceType::kHttp: {
        auto url = scalar(*keys, "url", node);
        if (!url) return url.error();
        if (!is_local_url(*url))
          return error_at(keys->at("url").Mark(), "url \"" + *url + "\": must be http:// on a loopback host (127.0.0.1, [::1], localhost)");
        source.url = *url;
        break;
      }
      case SourceType::kStatic: break;
    }

    if (keys->contains("prefix")) {
      if (source.content != ContentType::kPrometheus || source.type == SourceType::kStatic)
        return error_at(keys->at("prefix").Mark(), "prefix applies to prometheus content only");
      auto prefix = scalar(*keys, "prefix", node);
      if (!prefix) return prefix.error();
      if (!RE2::FullMatch(*prefix, "[a-zA-Z_:][a-zA-Z0-9_:]*"))
        return error_at(keys->at("prefix").Mark(), "prefix \"" + *prefix + "\" is not a valid metric name start");
      source.prefix = *prefix;
    }

    source.interval = service_interval;
    if (keys->contains("interval")) {
      auto asked = duration(keys->at("interval"), "interval");
      if (!asked) return asked.error();
      if (*asked < service_interval)
        return error_at(keys->at("interval").Mark(), "source " + source.name + ": interval " + keys->at("interval").Scalar() +
                                                         " is below its service's (" + std::to_string(service_interval.count()) + " ms)");
      source.interval = *asked;
    }
    if (keys->contains("timeout")) {
      auto timeout = duration(keys->at("timeout"), "timeout");
      if (!timeout) return timeout.error();
      source.timeout = *timeout;
    }
    if (keys->contains("max_age")) {
      auto max_age = duration(keys->at("max_age"), "max_age");
      if (!max_age) return max_age.error();
      source.max_age = *max_age;
    }
    if (keys->contains("output_limit")) {
      auto limit = number(keys->at("output_limit"), "output_limit");
      if (!limit) return limit.error();
      if (*limit < 1 || *limit > 1 << 30)
        return error_at(keys->at("output_limit").Mark(), "output_limit must be between 1 byte and 1 GiB");
      source.output_limit = static_cast<std::size_t>(*limit);
    }

    const bool imports = source.type != SourceType::kStatic && source.content == ContentType::kPrometheus;
    if (imports) {
      if (keys->contains("metrics"))
        return error_at(keys->at("metrics").Mark(), "prometheus content is imported whole: it has no metrics list (use prefix)");
      return source;
    }
    if (!keys->contains("metrics") || !keys->at("metrics").IsSequence() || keys->at("metrics").size() == 0)
      return error_at(node.Mark(), "source " + source.name + ": metrics must be a non-empty list");
    std::unique_ptr<Content> content = make_content(source.content);
    for (const YAML::Node& metric_node : keys->at("metrics")) {
      auto metric = parse_metric(metric_node, source);
      if (!metric) return metric.error();
      if (source.type != SourceType::kStatic)
        if (auto valid = content->add_expression(metric->expression); !valid)
          return error_at(metric_node[expression_key(source)].Mark(), valid.error().what);
      source.metrics.push_back(std::move(*metric));
    }
    return source;
  }

  Result<SourceMetric> parse_metric(const YAML::Node& node, const SourceDefinition& source) const {
    const char* expression_key = SourcesParser::expression_key(source);
    auto keys = keys_of(node, {"name", "help", "type", "labels", "value_on_error", expression_key}, "a metric");
    if (!keys) return keys.error();
    SourceMetric metric;
    metric.line = node.Mark().line + 1;
    auto name = scalar(*keys, "name", node);
    if (!name) return name.error();
    if (!RE2::FullMatch(*name, "[a-zA-Z_:][a-zA-Z0-9_:]*"))
      return error_at(keys->at("name").Mark(), "\"" + *name + "\" is not a valid metric name");
    for (const char* reserved : kReservedPrefixes)
      if (name->starts_with(reserved))
        return error_at(keys->at("name").Mark(), "\"" + *name + "\": names starting with " + reserved + " are bpfproc's own");
    metric.name = *name;
    metric.help = "Custom metric of service " + source.service + ", source " + source.name + ".";
    if (keys->contains("help")) {
      auto help = scalar(*keys, "help", node);
      if (!help) return help.error();
      metric.help = *help;
    }
    if (keys->contains("type")) {
      auto type = scalar(*keys, "type", node);
      if (!type) return type.error();
      if (*type == "counter") metric.type = HostFamily::Type::kCounter;
      else if (*type != "gauge") return error_at(keys->at("type").Mark(), "metric type must be gauge or counter");
    }
    metric.labels.emplace_back("service", source.service);
    if (keys->contains("labels")) {
      const YAML::Node& labels = keys->at("labels");
      if (!labels.IsMap()) return error_at(labels.Mark(), "labels must be a map of names to values");
      for (const auto& label : labels) {
        if (!label.first.IsScalar() || !label.second.IsScalar())
          return error_at(label.first.Mark(), "labels must be a map of names to values");
        const std::string& label_name = label.first.Scalar();
        if (!RE2::FullMatch(label_name, "[a-zA-Z_][a-zA-Z0-9_]*") || label_name.starts_with("__") || label_name == "service")
          return error_at(label.first.Mark(), "\"" + label_name + "\" is not a label name a metric can have here");
        metric.labels.emplace_back(label_name, label.second.Scalar());
      }
    }
    if (keys->contains("value_on_error")) {
      auto value = number(keys->at("value_on_error"), "value_on_error");
      if (!value) return value.error();
      metric.value_on_error = *value;
    }
    if (source.type == SourceType::kStatic) {
      if (!keys->contains("value")) return error_at(node.Mark(), "a static metric needs a value");
      auto value = number(keys->at("value"), "value");
      if (!value) return value.error();
      metric.static_value = *value;
    } else {
      auto expression = scalar(*keys, expression_key, node);
      if (!expression) return expression.error();
      metric.expression = *expression;
    }
    return metric;
  }

  // The metric key that finds the value, by source and content type.
  static const char* expression_key(const SourceDefinition& source) {
    if (source.type == SourceType::kStatic) return "value";
    switch (source.content) {
      case ContentType::kText: return "pattern";
      case ContentType::kJson: return "json_pointer";
      case ContentType::kXml: return "xpath";
      case ContentType::kPrometheus: break;
    }
    return "value";
  }

  Result<RunAs> parse_run_as(const YAML::Node& node) const {
    auto keys = keys_of(node, {"user", "group"}, "run_as");
    if (!keys) return keys.error();
    RunAs run_as;
    auto user = scalar(*keys, "user", node);
    if (!user) return user.error();
    run_as.user = *user;
    const passwd* entry = getpwnam(user->c_str());  // at start, before any thread
    if (entry == nullptr) return error_at(keys->at("user").Mark(), "run_as: unknown user \"" + *user + "\"");
    run_as.uid = entry->pw_uid;
    run_as.gid = entry->pw_gid;
    if (keys->contains("group")) {
      auto group = scalar(*keys, "group", node);
      if (!group) return group.error();
      const struct group* group_entry = getgrnam(group->c_str());
      if (group_entry == nullptr) return error_at(keys->at("group").Mark(), "run_as: unknown group \"" + *group + "\"");
      run_as.group = *group;
      run_as.gid = group_entry->gr_gid;
    }
    if (run_as.uid == 0 || run_as.gid == 0)
      return error_at(node.Mark(), "run_as: a command is never run as root (user or group 0); leave run_as out for that");
    return run_as;
  }

  static bool is_local_url(const std::string& url) {
    constexpr std::string_view kScheme = "http://";
    if (!url.starts_with(kScheme)) return false;
    const std::string_view rest = std::string_view(url).substr(kScheme.size());
    std::string_view host = rest.substr(0, rest.find('/'));
    if (host.starts_with('[')) {
      host = host.substr(0, host.find(']') + 1);
    } else {
      host = host.substr(0, host.find(':'));
    }
    return host == "127.0.0.1" || host == "[::1]" || host == "localhost" || host.starts_with("127.");
  }

  // Two entries that give the same series, or one name with two types, would make
  // an invalid exposition.
  Status check_series(const SourceDefinition& source) const {
    for (const SourceMetric& metric : source.metrics) {
      auto [type, added] = types_.emplace(metric.name, metric.type);
      if (!added && type->second != metric.type)
        return Error{"metric " + metric.name + " is declared both as a gauge and as a counter",
                     source_name_ + ":" + std::to_string(metric.line)};
      std::string series = metric.name;
      for (const auto& [label, value] : metric.labels) series += "," + label + "=" + value;
      if (!series_.insert(series).second)
        return Error{"metric " + metric.name + " with these labels is declared twice",
                     source_name_ + ":" + std::to_string(metric.line)};
    }
    return Ok{};
  }

  std::string source_name_;
  std::chrono::milliseconds base_;
  mutable std::map<std::string, HostFamily::Type> types_;
  mutable std::set<std::string> series_;
};

}  // namespace

Result<SourcesConfig> parse_sources(std::string_view yaml_text, const std::string& source_name,
                                    std::chrono::milliseconds base_interval) {
  SourcesParser parser(source_name, base_interval);
  try {
    return parser.parse(YAML::Load(std::string(yaml_text)));
  } catch (const YAML::Exception& exception) {
    return parser.error_at(exception.mark, exception.msg);
  }
}

Status check_command_config_owner(const std::string& path) {
  struct stat status{};
  if (stat(path.c_str(), &status) != 0) return Error{"cannot check its owner", path, errno};
  if (status.st_uid != 0)
    return Error{"declares command sources, so it must be owned by root (owner uid " + std::to_string(status.st_uid) + ")", path};
  if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return Error{"declares command sources, so it must not be writable by group or others (chmod go-w)", path};
  return Ok{};
}

}  // namespace bpfproc
