// CollectorRegistry: flags and defaults, self-metrics recorded by the registry, and a collector
// that fails or throws does not take the others down.
#include <stdexcept>

#include <gtest/gtest.h>

#include "bpfproc/collectors/collector_registry.h"

namespace bpfproc {
namespace {

// Contributes one value to the snapshot and reports a fixed number of errors.
class FixedCollector : public Collector {
 public:
  FixedCollector(std::uint64_t errors, bool throws) : errors_(errors), throws_(throws) {}
  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    if (throws_) throw std::runtime_error("collector bug");
    snapshot.tracked_processes += 1;
    return errors_;
  }

 private:
  std::uint64_t errors_;
  bool throws_;
};

CollectorDefinition fixed(std::string name, bool enabled_by_default, std::uint64_t errors = 0, bool throws = false) {
  return {std::move(name), "test", enabled_by_default, false,
          [errors, throws](CollectorEnvironment&) -> Result<std::unique_ptr<Collector>> {
            return std::unique_ptr<Collector>(std::make_unique<FixedCollector>(errors, throws));
          }};
}

const CollectorStatus* status_of(const ExporterSnapshot& snapshot, const std::string& name) {
  for (const CollectorStatus& status : snapshot.collectors)
    if (status.name == name) return &status;
  return nullptr;
}

TEST(CollectorRegistry, DefaultsApplyUnlessAFlagSaysOtherwise) {
  const std::vector<CollectorDefinition> definitions{fixed("on", true), fixed("off", false), fixed("forced", false)};
  CollectorOptions options;
  options.enabled["forced"] = true;
  EXPECT_TRUE(CollectorRegistry::enabled(definitions, options, "on"));
  EXPECT_FALSE(CollectorRegistry::enabled(definitions, options, "off"));
  EXPECT_TRUE(CollectorRegistry::enabled(definitions, options, "forced"));
  EXPECT_FALSE(CollectorRegistry::enabled(definitions, options, "unknown"));

  auto registry = CollectorRegistry::create(definitions, options, nullptr);
  ASSERT_TRUE(registry) << registry.error().message();
  ExporterSnapshot snapshot;
  (*registry)->collect(snapshot);
  EXPECT_EQ(snapshot.tracked_processes, 2u) << "only the two enabled collectors ran";
  ASSERT_EQ(snapshot.collectors.size(), 2u);
  EXPECT_EQ(snapshot.collectors[0].name, "on");
  EXPECT_EQ(snapshot.collectors[1].name, "forced");
}

TEST(CollectorRegistry, RecordsEveryRunErrorsAndSuccess) {
  const std::vector<CollectorDefinition> definitions{fixed("good", true), fixed("bad", true, 3),
                                                     fixed("buggy", true, 0, true)};
  auto registry = CollectorRegistry::create(definitions, CollectorOptions{}, nullptr);
  ASSERT_TRUE(registry) << registry.error().message();
  ExporterSnapshot snapshot;
  (*registry)->collect(snapshot);
  snapshot = ExporterSnapshot{};
  (*registry)->collect(snapshot);

  const CollectorStatus* good = status_of(snapshot, "good");
  const CollectorStatus* bad = status_of(snapshot, "bad");
  const CollectorStatus* buggy = status_of(snapshot, "buggy");
  ASSERT_TRUE(good && bad && buggy);
  EXPECT_EQ(good->count, 2u);
  EXPECT_TRUE(good->success);
  EXPECT_EQ(good->errors, 0u);
  EXPECT_GT(good->last_run_unix_seconds, 0);
  EXPECT_EQ(bad->count, 2u);
  EXPECT_FALSE(bad->success);
  EXPECT_EQ(bad->errors, 6u);
  EXPECT_EQ(buggy->count, 2u);
  EXPECT_FALSE(buggy->success);
  EXPECT_EQ(buggy->errors, 2u) << "an exception counts as one error per run";
  EXPECT_EQ(snapshot.tracked_processes, 2u) << "the collectors after the buggy one still ran";
}

TEST(CollectorRegistry, ACollectorThatCannotStartNamesItself) {
  std::vector<CollectorDefinition> definitions{fixed("fine", true)};
  definitions.push_back({"broken", "test", true, false, [](CollectorEnvironment&) -> Result<std::unique_ptr<Collector>> {
                           return Error{"no such thing", "/sys/x"};
                         }});
  auto registry = CollectorRegistry::create(definitions, CollectorOptions{}, nullptr);
  ASSERT_FALSE(registry);
  EXPECT_EQ(registry.error().message(), "collector broken: /sys/x: no such thing");
}

TEST(CollectorRegistry, BuiltinCollectorsHaveUniqueFlagNames) {
  const auto& collectors = builtin_collectors();
  ASSERT_GE(collectors.size(), 3u);
  for (std::size_t a = 0; a < collectors.size(); ++a) {
    EXPECT_FALSE(collectors[a].name.empty());
    EXPECT_TRUE(collectors[a].create) << collectors[a].name;
    for (std::size_t b = a + 1; b < collectors.size(); ++b) EXPECT_NE(collectors[a].name, collectors[b].name);
  }
  EXPECT_EQ(collectors[0].name, "tasks");
}

TEST(CollectorRegistry, ProcessCollectorsNeedTheTracker) {
  CollectorOptions options;
  auto registry = CollectorRegistry::create(builtin_collectors(), options, nullptr);
  ASSERT_FALSE(registry);
  EXPECT_EQ(registry.error().message(), "collector tasks: needs the BPF process tracker");
}

}  // namespace
}  // namespace bpfproc
