// The daemon's threads on the real kernel: the event drain, the memory refresher and the
// collection thread all running (Exporter::start), while 8 scrapers read /metrics as fast as they
// can, a workload churns short-lived processes and the configuration reloads back to back (as
// SIGHUP does: ConfigReloader, good and bad files in turn). Built with -DBPFPROC_SANITIZE=thread
// (scripts/test-sanitizers) it is the race test of the real paths, the BPF ring buffer included;
// in any build it checks that no scraper ever sees a group's counter go down and that no exit is
// lost between the threads.
#include <atomic>
#include <fstream>
#include <map>
#include <thread>

#include <spdlog/spdlog.h>

#include "bpf_test_support.h"
#include "bpfproc/app/config_reloader.h"
#include "bpfproc/util/prometheus_text.h"
#include "bpfproc/web/scrape_source.h"

namespace bpfproc::testing {
namespace {

TEST(ConcurrentDaemon, ScrapersRacingTheDrainRefresherAndCollectionsSeeMonotonicGroups) {
  REQUIRE_BPF_OR_SKIP();
  // Before any thread starts, as main() does: spdlog's registry is a function-local static of an
  // uninstrumented library (a first use from two threads reads as a race to TSan). Warnings only:
  // every third reload is rejected with an error line.
  spdlog::set_level(spdlog::level::critical);
  // churn and the burns it starts form one group (children: true).
  const std::string churn_tool = tool_as("churn", "racechurn");
  const std::string rules =
      "process_names: [{name: churn, comm: [" + comm_of_tool(churn_tool) + "]}]\nchildren: true\n";
  ExporterOptions options;
  options.collectors.config = config_from(rules);
  options.collectors.enabled["memory"] = true;
  options.collectors.memory.schedule.interval = std::chrono::milliseconds(5);
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

  // Reloads in a loop: the same churn group under two rule sets (every live process is decided
  // again at each), and a file with an unknown key, which must be rejected with nothing changed.
  char directory_pattern[] = "/tmp/bpfproc-race-reload.XXXXXX";
  ASSERT_NE(mkdtemp(directory_pattern), nullptr);
  const std::string config_file = std::string(directory_pattern) + "/config.yml";
  const std::string variants[] = {rules, rules + "process_names_extra_typo: 1\n",
                                  "process_names:\n  - name: churn\n    comm: [" + comm_of_tool(churn_tool) +
                                      "]\n  - name: \"{{.Comm}}\"\n    comm: [bpfproc-none]\nchildren: true\n"};
  ConfigReloader reloader({.config_file = config_file}, **exporter, {});
  std::uint64_t reloads = 0, wrong_outcomes = 0;
  std::thread reloading([&] {
    for (std::uint64_t turn = 0; !stop; ++turn) {
      const std::string& text = variants[turn % 3];
      std::ofstream(config_file, std::ios::trunc) << text;
      const bool accepted = reloader.reload().ok();
      if (accepted != (turn % 3 != 1)) ++wrong_outcomes;
      ++reloads;
    }
  });

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
  reloading.join();
  std::remove(config_file.c_str());
  rmdir(directory_pattern);
  EXPECT_GT(reloads, 3u) << "the reloads ran alongside";
  EXPECT_EQ(wrong_outcomes, 0u) << "good files are put in force and the bad one is rejected, every time";

  std::uint64_t total = 0;
  for (int index = 0; index < kScrapers; ++index) {
    EXPECT_TRUE(findings[index].empty()) << "scraper " << index << ": " << findings[index].size()
                                         << " findings, the first: " << findings[index].front();
    EXPECT_GT(scrapes[index], 0u);
    total += scrapes[index];
  }
  std::printf("measured: %llu scrapes by %d scrapers, %llu collections, %llu reloads, during %d burns\n",
              static_cast<unsigned long long>(total), kScrapers,
              static_cast<unsigned long long>((*exporter)->publisher().collections()),
              static_cast<unsigned long long>(reloads), kBurns);
  EXPECT_EQ(source.scrapes(), total) << "every scrape counted once";
  EXPECT_EQ(exits, static_cast<std::uint64_t>(kBurns + 1)) << "every burn and churn itself, each once";
}

}  // namespace
}  // namespace bpfproc::testing
