// Reloads of the grouping rules in a running exporter (ConfigReloader), against the real BPF
// programs: while processes churn and threads scrape, rules swapped back and forth keep the
// counters of the group both name monotonic, and a bad file changes nothing. The ThreadSanitizer
// build runs this for the races between reloads, collections, the event drain and scrapes.
#include <atomic>
#include <fstream>
#include <thread>

#include "bpf_test_support.h"
#include "bpfproc/app/config_reloader.h"
#include "bpfproc/exposition/text_writer.h"

namespace bpfproc::testing {
namespace {

struct ReloadingExporter {
  explicit ReloadingExporter(const std::string& rules) {
    std::ofstream(path) << rules;
    ExporterOptions options;
    options.collectors.config = config_from(rules);
    options.collectors.enabled["memory"] = false;
    options.publisher.interval = std::chrono::milliseconds(100);
    options.publisher.max_age = std::chrono::milliseconds(10);
    auto opened = Exporter::open(std::move(options));
    if (!opened) throw std::runtime_error(opened.error().message());
    exporter = std::move(*opened);
    exporter->start();
    reloader = std::make_unique<ConfigReloader>(ReloadFiles{.config_file = path}, *exporter, ApplyWebConfig{});
  }
  ~ReloadingExporter() {
    reloader.reset();
    exporter.reset();
    std::filesystem::remove(path);
  }
  void write(const std::string& rules) const { std::ofstream(path) << rules; }

  std::string path = "/tmp/bpfproc-reload-test-" + std::to_string(getpid()) + ".yml";
  std::unique_ptr<Exporter> exporter;
  std::unique_ptr<ConfigReloader> reloader;
};

std::string rules(const std::string& churners, const std::string& others_prefix) {
  return "process_names:\n  - name: churners\n    comm: [" + churners + "]\n  - name: '" + others_prefix +
         "{{.Comm}}'\n    cmdline: ['.+']\n";
}

TEST(Reload, ScrapesDuringReloadsAndChurnSeeMonotonicCountersOfAGroupBothRulesName) {
  REQUIRE_BPF_OR_SKIP();
  const std::string burn = tool_as("burn", "rlburn");
  const std::string churn = tool_as("churn", "rlchurn");
  const std::string churners = comm_of_tool(burn) + ", " + comm_of_tool(churn);
  ReloadingExporter daemon(rules(churners, ""));

  std::atomic<bool> stop{false};
  std::atomic<int> decreases{0};
  std::atomic<std::uint64_t> scrapes{0};
  std::vector<std::thread> scrapers;
  for (int thread = 0; thread < 8; ++thread)
    scrapers.emplace_back([&] {
      double last = 0;
      while (!stop) {
        auto snapshot = daemon.exporter->publisher().fresh();
        const std::string text = exposition_text(*snapshot, {});
        const std::uint64_t runtime = group_runtime_ns(snapshot->groups, "churners");
        if (runtime < last) ++decreases;
        last = static_cast<double>(runtime);
        ++scrapes;
        if (text.find("bpfproc_exporter_series ") == std::string::npos) ++decreases;
      }
    });

  Child churning = Child::spawn({churn, "400", "2", burn});
  for (int reload = 0; reload < 20; ++reload) {
    daemon.write(rules(churners, reload % 2 == 0 ? "renamed-" : ""));
    auto reloaded = daemon.reloader->reload();
    EXPECT_TRUE(reloaded) << reloaded.error().message();
    EXPECT_TRUE(daemon.exporter->publisher().latest()->config_last_reload_successful);
    usleep(50'000);
  }
  ASSERT_EQ(churning.finish(), 0);
  stop = true;
  for (std::thread& scraper : scrapers) scraper.join();
  EXPECT_EQ(decreases, 0) << "of " << scrapes << " scrapes";
  EXPECT_GT(scrapes, 20u);
  // The last rules are the original ones: "renamed-" groups are left without members.
  const auto groups = daemon.exporter->publisher().collect_and_wait()->groups;
  EXPECT_GT(group_runtime_ns(groups, "churners"), 0u);
}

TEST(Reload, ABadFileLeavesTheRulesInForceAndSaysSo) {
  REQUIRE_BPF_OR_SKIP();
  const std::string burn = tool_as("burn", "rlbad");
  ReloadingExporter daemon("process_names:\n  - name: first\n    comm: [" + comm_of_tool(burn) + "]\n");
  Child child = Child::spawn({burn, "-p", "50"});
  auto wait_for = [&](const std::string& group) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      const auto* found = find_group(daemon.exporter->publisher().collect_and_wait()->groups, group);
      if (found != nullptr && found->processes == 1) return true;
      usleep(50'000);
    }
    return false;
  };
  ASSERT_TRUE(wait_for("first"));
  const double loaded_at = daemon.exporter->publisher().latest()->config_last_reload_success_unix_seconds;

  daemon.write("process_names:\n  - name: second\n    comm: [" + comm_of_tool(burn) + "\n");
  auto reloaded = daemon.reloader->reload();
  ASSERT_FALSE(reloaded);
  EXPECT_TRUE(reloaded.error().message().starts_with(daemon.path + ":")) << reloaded.error().message();
  auto snapshot = daemon.exporter->publisher().collect_and_wait();
  EXPECT_FALSE(snapshot->config_last_reload_successful);
  EXPECT_EQ(snapshot->config_last_reload_success_unix_seconds, loaded_at);
  EXPECT_TRUE(wait_for("first")) << "the rules in force changed";
  EXPECT_EQ(find_group(snapshot->groups, "second"), nullptr);

  daemon.write("process_names:\n  - name: second\n    comm: [" + comm_of_tool(burn) + "]\n");
  reloaded = daemon.reloader->reload();
  ASSERT_TRUE(reloaded) << reloaded.error().message();
  EXPECT_TRUE(wait_for("second"));
  EXPECT_TRUE(daemon.exporter->publisher().latest()->config_last_reload_successful);
  EXPECT_GT(daemon.exporter->publisher().latest()->config_last_reload_success_unix_seconds, loaded_at);
  EXPECT_EQ(child.finish(), 0);
}

// Rules that need what the loaded BPF programs do not send are refused, not half applied.
TEST(Reload, RulesThatNeedOtherBpfProgramsAreRefused) {
  REQUIRE_BPF_OR_SKIP();
  ReloadingExporter daemon("process_names: [{name: '{{.Comm}}', cmdline: ['.+']}]\n");
  daemon.write("process_names: [{name: '{{.Cwd}}', cmdline: ['.+']}]\n");
  auto reloaded = daemon.reloader->reload();
  ASSERT_FALSE(reloaded);
  EXPECT_NE(reloaded.error().message().find("restart bpfproc"), std::string::npos) << reloaded.error().message();
  daemon.write("process_names: [{name: '{{.Comm}}', cmdline: ['.+']}]\nkernel_threads: true\n");
  reloaded = daemon.reloader->reload();
  ASSERT_FALSE(reloaded);
  EXPECT_NE(reloaded.error().message().find("kernel_threads"), std::string::npos) << reloaded.error().message();
}

}  // namespace
}  // namespace bpfproc::testing
