// The `sources` collector: the custom metric sources of the config file's `sources:` section.
// Each source runs on a thread of its own at its interval (a whole number of collection
// intervals), so that a slow or hanging command or URL delays only itself, bounded by its
// timeout; a collection never waits for a source, it takes what each served last.
#include <condition_variable>
#include <map>
#include <set>
#include <stop_token>
#include <thread>

#include <spdlog/spdlog.h>

#include "bpfproc/collectors/collector.h"
#include "bpfproc/collectors/sources/source_runner.h"

namespace bpfproc {
namespace {

class SourcesCollector : public Collector {
 public:
  explicit SourcesCollector(const CollectorOptions& options) {
    for (const SourceDefinition& source : options.sources.sources)
      runners_.push_back(std::make_unique<SourceRunner>(source, options.collection_interval));
  }

  ~SourcesCollector() override {
    for (std::jthread& thread : threads_) thread.request_stop();
    wake_.notify_all();
  }  // the threads join as they go, each within its source's timeout

  void start() override {
    for (const auto& runner : runners_)
      threads_.emplace_back([this, source = runner.get()](std::stop_token stop) { run(*source, stop); });
  }

  void refresh_now() override {
    for (const auto& runner : runners_) runner->run_once();
  }

  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    std::uint64_t errors = 0;
    // Names already served (host collectors) cannot be served twice in one exposition.
    std::set<std::string> taken;
    for (const HostFamily& family : snapshot.host_families) taken.insert(family.name);
    std::map<std::string, std::size_t> ours;  // family name -> position in the snapshot
    for (const auto& runner : runners_) {
      for (HostFamily& family : runner->families()) {
        if (auto found = ours.find(family.name); found != ours.end()) {
          HostFamily& merged = snapshot.host_families[found->second];
          if (merged.type != family.type) {
            errors += warn_collision(family.name, "two sources give it different types");
            continue;
          }
          for (HostSample& sample : family.samples) merged.samples.push_back(std::move(sample));
          continue;
        }
        if (taken.contains(family.name)) {
          errors += warn_collision(family.name, "a host collector serves it too");
          continue;
        }
        ours.emplace(family.name, snapshot.host_families.size());
        snapshot.host_families.push_back(std::move(family));
      }
    }
    return errors;
  }

  std::vector<CollectorStatus> statuses() const override {
    std::vector<CollectorStatus> statuses;
    for (const auto& runner : runners_) statuses.push_back(runner->status());
    return statuses;
  }

 private:
  // Runs `source` now and then every interval after the previous start, until stopped.
  void run(SourceRunner& source, const std::stop_token& stop) {
    auto next = std::chrono::steady_clock::now();
    while (!stop.stop_requested()) {
      source.run_once();
      next += source.interval();
      // A run longer than the interval (a timeout) skips the runs it overlapped.
      while (next <= std::chrono::steady_clock::now()) next += source.interval();
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, stop, next, [] { return false; });
    }
  }

  std::uint64_t warn_collision(const std::string& name, const char* why) {
    std::lock_guard lock(mutex_);
    if (warned_.insert(name).second) spdlog::warn("sources: {} is left out: {} (logged once)", name, why);
    return 1;
  }

  std::vector<std::unique_ptr<SourceRunner>> runners_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::set<std::string> warned_;
  std::vector<std::jthread> threads_;  // last: they stop and join before what they use goes
};

}  // namespace

CollectorDefinition sources_collector() {
  return {"sources",
          "Custom metric sources of the config file's sources: section (commands, files, local URLs, static values)",
          true, false, [](CollectorEnvironment& environment) -> Result<std::unique_ptr<Collector>> {
            return std::unique_ptr<Collector>(std::make_unique<SourcesCollector>(environment.options));
          }};
}

}  // namespace bpfproc
