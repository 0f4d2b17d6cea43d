// One custom metric source at run time: one read per run feeds all its metrics; a failed read
// serves value_on_error, else the last good value up to max_age, else nothing; self-metrics count
// runs and errors. Commands: a hanging one is killed at its timeout with its whole process group,
// output beyond the limit and a failing exit are errors.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "bpfproc/collectors/collector_registry.h"
#include "bpfproc/collectors/sources/source_reader.h"
#include "bpfproc/collectors/sources/source_runner.h"
#include "bpfproc/util/whole_file.h"

namespace bpfproc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(SourceValuePolicy, ValueOnErrorThenLastGoodWithinMaxAgeThenNothing) {
  const SteadyTime start{};
  std::optional<GoodValue> last;
  EXPECT_EQ(served_value(5.0, std::nullopt, last, start, seconds(30)), 5.0);
  EXPECT_EQ(served_value(std::nullopt, -1.0, last, start + seconds(1), seconds(30)), -1.0);
  EXPECT_EQ(served_value(std::nullopt, std::nullopt, last, start + seconds(30), seconds(30)), 5.0);
  EXPECT_EQ(served_value(std::nullopt, std::nullopt, last, start + seconds(31), seconds(30)), std::nullopt);
  EXPECT_EQ(served_value(7.0, std::nullopt, last, start + seconds(40), seconds(30)), 7.0);
  EXPECT_EQ(served_value(std::nullopt, std::nullopt, last, start + seconds(41), seconds(0)), std::nullopt);
  std::optional<GoodValue> never;
  EXPECT_EQ(served_value(std::nullopt, std::nullopt, never, start, seconds(30)), std::nullopt);
}

// A reader that counts its calls and answers what the test set.
int g_reads = 0;
std::optional<std::string> g_body;
Result<std::string> fake_read(const SourceDefinition&) {
  ++g_reads;
  if (!g_body) return Error{"connection refused", "fake"};
  return *g_body;
}

SourceDefinition text_source() {
  SourceDefinition source;
  source.service = "svc";
  source.name = "status";
  source.type = SourceType::kFile;
  source.content = ContentType::kText;
  source.interval = seconds(65);
  source.max_age = seconds(60);
  for (const char* name : {"depth", "idle"}) {
    SourceMetric metric;
    metric.name = std::string("svc_") + name;
    metric.labels = {{"service", "svc"}};
    metric.expression = std::string(name) + R"(=(\d+))";
    source.metrics.push_back(metric);
  }
  source.metrics[1].value_on_error = -1;
  return source;
}

double value_of(const std::vector<HostFamily>& families, const std::string& name) {
  for (const HostFamily& family : families)
    if (family.name == name && !family.samples.empty()) return family.samples.front().value;
  return std::numeric_limits<double>::quiet_NaN();
}

TEST(SourceRunner, OneReadFeedsEveryMetricAndErrorsFollowThePolicy) {
  g_reads = 0;
  g_body = "depth=17 idle=5";
  SourceRunner runner(text_source(), seconds(5), fake_read);
  EXPECT_EQ(runner.interval(), seconds(65));
  const SteadyTime start{};
  runner.run_once(start);
  EXPECT_EQ(g_reads, 1);
  auto families = runner.families();
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(value_of(families, "svc_depth"), 17);
  EXPECT_EQ(value_of(families, "svc_idle"), 5);
  EXPECT_TRUE(runner.status().success);
  EXPECT_EQ(runner.status().name, "source.svc.status");

  g_body.reset();  // the read fails: idle has value_on_error, depth its last good value
  runner.run_once(start + seconds(30));
  families = runner.families();
  EXPECT_EQ(value_of(families, "svc_depth"), 17);
  EXPECT_EQ(value_of(families, "svc_idle"), -1);
  EXPECT_FALSE(runner.status().success);
  EXPECT_EQ(runner.status().errors, 1u);

  runner.run_once(start + seconds(61));  // depth's last good value is too old now
  families = runner.families();
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(value_of(families, "svc_idle"), -1);

  g_body = "depth=3";  // a pattern that finds nothing is an error of that run
  runner.run_once(start + seconds(70));
  EXPECT_EQ(value_of(runner.families(), "svc_depth"), 3);
  EXPECT_EQ(value_of(runner.families(), "svc_idle"), -1);
  EXPECT_EQ(runner.status().errors, 3u);
  EXPECT_EQ(runner.status().count, 4u);
  EXPECT_EQ(g_reads, 4);
}

TEST(SourceRunner, PrometheusImportKeepsItsLastGoodFamiliesUpToMaxAge) {
  SourceDefinition source;
  source.service = "svc";
  source.name = "exporter";
  source.type = SourceType::kHttp;
  source.content = ContentType::kPrometheus;
  source.prefix = "x_";
  source.max_age = seconds(10);
  g_body = "# TYPE up gauge\nup 1\n";
  SourceRunner runner(source, seconds(5), fake_read);
  const SteadyTime start{};
  runner.run_once(start);
  EXPECT_EQ(value_of(runner.families(), "x_up"), 1);
  g_body.reset();
  runner.run_once(start + seconds(10));
  EXPECT_EQ(value_of(runner.families(), "x_up"), 1);
  runner.run_once(start + seconds(11));
  EXPECT_TRUE(runner.families().empty());
}

TEST(SourceRunner, StaticValuesNeedNoRead) {
  SourceDefinition source;
  source.service = "svc";
  source.name = "facts";
  SourceMetric metric;
  metric.name = "svc_slots";
  metric.static_value = 8;
  source.metrics.push_back(metric);
  SourceRunner runner(source, seconds(5));
  runner.run_once();
  EXPECT_EQ(value_of(runner.families(), "svc_slots"), 8);
  EXPECT_TRUE(runner.status().success);
}

SourceDefinition command(std::vector<std::string> argv, milliseconds timeout = seconds(5)) {
  SourceDefinition source;
  source.type = SourceType::kCommand;
  source.command = std::move(argv);
  source.timeout = timeout;
  return source;
}

TEST(CommandSource, RunsWithoutAShellAndReadsStdout) {
  auto output = read_command_source(command({"/bin/echo", "depth=$HOME;", "*"}));
  ASSERT_TRUE(output) << output.error().message();
  EXPECT_EQ(*output, "depth=$HOME; *\n");  // no expansion: no shell
}

TEST(CommandSource, FailingExitAndMissingProgramAreErrors) {
  auto failed = read_command_source(command({"/bin/sh", "-c", "echo 1; exit 3"}));
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message().find("exited with status 3"), std::string::npos) << failed.error().message();
  EXPECT_FALSE(read_command_source(command({"/nonexistent/program"})));
}

TEST(CommandSource, OutputBeyondTheLimitIsAnError) {
  SourceDefinition source = command({"/bin/sh", "-c", "yes 0123456789 | head -c 100000"});
  source.output_limit = 1000;
  auto output = read_command_source(source);
  ASSERT_FALSE(output);
  EXPECT_NE(output.error().message().find("output beyond 1000 bytes"), std::string::npos) << output.error().message();
}

bool process_gone(pid_t pid, milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    auto stat = read_whole_file("/proc/" + std::to_string(pid) + "/stat");
    if (!stat || stat->find(") Z ") != std::string::npos) return true;  // gone, or dead and not yet reaped
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

TEST(CommandSource, AHangingCommandIsKilledWithItsGroupAtTheTimeout) {
  const std::filesystem::path pid_file =
      std::filesystem::temp_directory_path() / ("bpfproc-hang-" + std::to_string(getpid()));
  const auto start = std::chrono::steady_clock::now();
  // The shell leaves a child behind that holds stdout open: both must die.
  auto output = read_command_source(
      command({"/bin/sh", "-c", "sleep 60 & echo $! > " + pid_file.string() + "; wait"}, milliseconds(300)));
  const auto spent = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(output);
  EXPECT_NE(output.error().message().find("killed"), std::string::npos) << output.error().message();
  EXPECT_LT(spent, seconds(30));  // not the sleep's 60 s: bounded by the timeout (generous under load)
  auto pid_text = read_whole_file(pid_file);
  std::filesystem::remove(pid_file);
  ASSERT_TRUE(pid_text);
  EXPECT_TRUE(process_gone(std::stoi(*pid_text), seconds(5))) << "sleep " << *pid_text << " outlived the timeout";
}

// The http source against a loopback port nothing listens on: an error naming the URL, in time.
TEST(HttpSource, ARefusedConnectionIsAnError) {
  const int probe = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(probe, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length), 0);
  close(probe);  // the kernel's free port, now with nothing behind it
  SourceDefinition source;
  source.url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/status";
  source.timeout = seconds(5);
  auto body = read_http_source(source);
  ASSERT_FALSE(body);
  EXPECT_NE(body.error().message().find(source.url), std::string::npos) << body.error().message();
}

TEST(FileSource, ReadsARegularFileWithinTheLimit) {
  SourceDefinition source;
  source.path = std::string(BPFPROC_FIXTURES_DIR) + "/sources/status.txt";
  auto text = read_file_source(source);
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_NE(text->find("queue depth: 17"), std::string::npos);
  source.output_limit = 10;
  EXPECT_FALSE(read_file_source(source));
  source.path = "/dev/zero";  // would never end
  EXPECT_FALSE(read_file_source(source));
}

}  // namespace
}  // namespace bpfproc

namespace bpfproc {
namespace {

// The sources collector as the registry makes it, on static sources: what each served last goes
// into the snapshot's generic families, one family per name, never one a host collector serves.
TEST(SourcesCollector, MergesFamiliesAndLeavesOutHostNames) {
  CollectorOptions options;
  for (const char* name : {"a", "b"}) {
    SourceDefinition source;
    source.service = name;
    source.name = "facts";
    SourceMetric shared;
    shared.name = "slots";
    shared.labels = {{"service", name}};
    shared.static_value = 1;
    SourceMetric host;
    host.name = "node_load1";
    host.static_value = 9;
    source.metrics = {shared, host};
    options.sources.sources.push_back(source);
  }
  options.sources.sources[1].metrics.pop_back();
  const auto& definitions = builtin_collectors();
  const auto definition = std::find_if(definitions.begin(), definitions.end(),
                                       [](const CollectorDefinition& candidate) { return candidate.name == "sources"; });
  ASSERT_NE(definition, definitions.end());
  CollectorStats stats("sources");
  CollectorEnvironment environment{options, nullptr, stats};
  auto collector = definition->create(environment);
  ASSERT_TRUE(collector) << collector.error().message();
  (*collector)->refresh_now();
  ExporterSnapshot snapshot;
  snapshot.host_families.push_back(HostFamily{"node_load1", "host", HostFamily::Type::kGauge, {{{}, 0.5}}});
  EXPECT_EQ((*collector)->collect(snapshot), 1u);  // node_load1 of source a is left out
  ASSERT_EQ(snapshot.host_families.size(), 2u);
  EXPECT_EQ(snapshot.host_families[0].samples.front().value, 0.5);
  EXPECT_EQ(snapshot.host_families[1].name, "slots");
  EXPECT_EQ(snapshot.host_families[1].samples.size(), 2u);
  const auto statuses = (*collector)->statuses();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].name, "source.a.facts");
  EXPECT_EQ(statuses[1].count, 1u);
}

}  // namespace
}  // namespace bpfproc
