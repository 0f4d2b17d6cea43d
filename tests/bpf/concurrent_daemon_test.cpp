// The daemon's threads on the real kernel: the event drain, the memory refresher and the
// collection thread all running (Exporter::start), while 8 scrapers read /metrics as fast as they
// can and a workload churns short-lived processes. Built with -DBPFPROC_SANITIZE=thread
// (scripts/test-sanitizers) it is the race test of the real paths, the BPF ring buffer included;
// in any build it checks that no scraper ever sees a group's counter go down and that no exit is
// lost between the threads.
#include <atomic>
#include <map>
#include <thread>

#include "bpf_test_support.h"
#include "bpfproc/bench/prometheus_text.h"
#include "bpfproc/web/scrape_source.h"

namespace bpfproc::testing {
namespace {

TEST(ConcurrentDaemon, ScrapersRacingTheDrainRefresherAndCollectionsSeeMonotonicGroups) {
  REQUIRE_BPF_OR_SKIP();
  // churn and the burns it starts form one group (children: true).
  const std::string churn_tool = tool_as("churn", "racechurn");
  ExporterOptions options;
  options.collectors.config =
      config_from("process_names: [{name: churn, comm: [" + comm_of_tool(churn_tool) + "]}]\nchildren: true\n");
  options.collectors.enabled["memory"] = true;
  options.collectors.memory.interval = std::chrono::milliseconds(5);
  options.collectors.memory.cpu_budget = 1.0;
  // Every scrape asks for a collection: collections run back to back under the scrapers.
  options.publisher.max_age = std::chrono::milliseconds(0);
  auto exporter = Exporter::open(std::move(options));
  ASSERT_TRUE(exporter.ok()) << exporter.error().message();
  (*exporter)->start();
  ScrapeSource source((*exporter)->publisher());

  constexpr int kBurns = 200;
  Child churn = Child::spawn({churn_tool, std::to_string(kBurns), "2", tool("burn")});

  std::atomic<bool> stop{false};
  constexpr int kScrapers = 8;
  std::vector<std::vector<std::string>> findings(kScrapers);
  std::vector<std::uint64_t> scrapes(kScrapers, 0);
  std::vector<std::thread> scrapers;
  for (int index = 0; index < kScrapers; ++index) {
    scrapers.emplace_back([&, index] {
      std::string text;
      std::map<std::string, double> last;  // counter series -> the last value this scraper saw
      while (!stop) {
        source.write(text);
        ++scrapes[index];
        for (const Sample& sample : parse_prometheus_text(text)) {
          if (!sample.name.starts_with("bpfproc_group_") || !sample.name.ends_with("_total")) continue;
          std::string series = sample.name;
          for (const auto& [label, value] : sample.labels) series += "," + label + "=" + value;
          auto [previous, inserted] = last.try_emplace(series, sample.value);
          if (!inserted && sample.value < previous->second)
            findings[index].push_back(series + " went down: " + std::to_string(previous->second) + " -> " +
                                      std::to_string(sample.value));
          previous->second = sample.value;
        }
      }
    });
  }

  EXPECT_FALSE(churn.read_line().empty()) << "churn reports the CPU of its burns when done";
  EXPECT_EQ(churn.finish(), 0);
  // The exits reach the table through the drain thread or a collection, whichever is first.
  std::uint64_t exits = 0;
  for (int attempt = 0; attempt < 50 && exits < kBurns + 1; ++attempt) {
    auto snapshot = (*exporter)->publisher().collect_and_wait();
    const GroupTotals* group = find_group(snapshot->groups, "churn");
    exits = group == nullptr ? 0 : group->exits;
    if (exits < kBurns + 1) usleep(100'000);
  }
  stop = true;
  for (std::thread& scraper : scrapers) scraper.join();

  std::uint64_t total = 0;
  for (int index = 0; index < kScrapers; ++index) {
    EXPECT_TRUE(findings[index].empty()) << "scraper " << index << ": " << findings[index].size()
                                         << " findings, the first: " << findings[index].front();
    EXPECT_GT(scrapes[index], 0u);
    total += scrapes[index];
  }
  std::printf("measured: %llu scrapes by %d scrapers, %llu collections, during %d burns\n",
              static_cast<unsigned long long>(total), kScrapers,
              static_cast<unsigned long long>((*exporter)->publisher().collections()), kBurns);
  EXPECT_EQ(source.scrapes(), total) << "every scrape counted once";
  EXPECT_EQ(exits, static_cast<std::uint64_t>(kBurns + 1)) << "every burn and churn itself, each once";
}

}  // namespace
}  // namespace bpfproc::testing
