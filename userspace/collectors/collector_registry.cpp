#include "bpfproc/collectors/collector_registry.h"

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

namespace bpfproc {

// Each is defined in the collector's own file.
CollectorDefinition tasks_collector();
CollectorDefinition memory_collector();
CollectorDefinition runqueue_latency_collector();
CollectorDefinition host_cpu_collector();
CollectorDefinition host_memory_collector();
CollectorDefinition host_load_collector();
CollectorDefinition host_pressure_collector();
CollectorDefinition host_disk_collector();
CollectorDefinition host_network_collector();
CollectorDefinition host_filesystem_collector();
CollectorDefinition sources_collector();

const std::vector<CollectorDefinition>& builtin_collectors() {
  static const std::vector<CollectorDefinition> collectors{
      tasks_collector(),
      memory_collector(),
      runqueue_latency_collector(),
      host_cpu_collector(),
      host_memory_collector(),
      host_load_collector(),
      host_pressure_collector(),
      host_disk_collector(),
      host_network_collector(),
      host_filesystem_collector(),
      sources_collector(),
  };
  return collectors;
}

const std::vector<CollectorGroup>& builtin_collector_groups() {
  static const std::vector<CollectorGroup> groups{
      {"host", "All host collectors (host.cpu, host.memory, host.load, host.pressure, host.disk, host.network, "
               "host.filesystem): node_exporter's node_* metrics; each one's own flag wins (default: off)"},
  };
  return groups;
}

void CollectorRegistry::apply_group_flag(const std::vector<CollectorDefinition>& definitions, std::string_view group,
                                         bool enabled, const std::set<std::string>& given,
                                         std::map<std::string, bool>& collectors) {
  for (const CollectorDefinition& definition : definitions)
    if (definition.group == group && !given.contains(definition.name)) collectors[definition.name] = enabled;
}

bool CollectorRegistry::enabled(const std::vector<CollectorDefinition>& definitions, const CollectorOptions& options,
                                std::string_view name) {
  auto definition = std::find_if(definitions.begin(), definitions.end(),
                                 [&](const CollectorDefinition& candidate) { return candidate.name == name; });
  if (definition == definitions.end()) return false;
  auto chosen = options.enabled.find(definition->name);
  return chosen != options.enabled.end() ? chosen->second : definition->enabled_by_default;
}

Result<std::unique_ptr<CollectorRegistry>> CollectorRegistry::create(const std::vector<CollectorDefinition>& definitions,
                                                                     const CollectorOptions& options,
                                                                     ProcessTracker* tracker) {
  auto registry = std::make_unique<CollectorRegistry>();
  for (const CollectorDefinition& definition : definitions) {
    if (!enabled(definitions, options, definition.name)) continue;
    Entry entry{&definition, std::make_unique<CollectorStats>(definition.name), nullptr};
    CollectorEnvironment environment{options, tracker, *entry.stats};
    auto collector = definition.create(environment);
    if (!collector) return Error{collector.error().message(), "collector " + definition.name};
    entry.collector = std::move(*collector);
    registry->entries_.push_back(std::move(entry));
  }
  return registry;
}

void CollectorRegistry::collect(ExporterSnapshot& snapshot) {
  for (Entry& entry : entries_) {
    const RunClock clock;
    std::uint64_t errors = 0;
    // Collectors report errors as values; this only keeps a bug in one from taking the others down.
    try {
      errors = entry.collector->collect(snapshot);
    } catch (const std::exception& error) {
      spdlog::error("collector {}: {}", entry.definition->name, error.what());
      errors = 1;
    }
    if (!entry.definition->works_in_background) entry.stats->record_run(clock, errors);
  }
  snapshot.collectors.clear();
  for (const Entry& entry : entries_) {
    snapshot.collectors.push_back(entry.stats->status());
    for (CollectorStatus& status : entry.collector->statuses()) snapshot.collectors.push_back(std::move(status));
  }
}

void CollectorRegistry::start() {
  for (Entry& entry : entries_) entry.collector->start();
}

void CollectorRegistry::refresh_now() {
  for (Entry& entry : entries_) entry.collector->refresh_now();
}

}  // namespace bpfproc
