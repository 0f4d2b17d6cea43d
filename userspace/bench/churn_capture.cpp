#include "bpfproc/bench/churn_capture.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <re2/re2.h>
#include <spdlog/spdlog.h>

#include "bpfproc/util/child_process.h"
#include "bpfproc/util/clock.h"
#include "bpfproc/bench/daemon_child.h"
#include "bpfproc/util/interruptible_wait.h"

namespace bpfproc {
namespace {

constexpr const char* kGroup = "bench-churn";
// Each child costs about a millisecond beyond its burn (fork, exec, exit, wait), which sizes the
// number of children to the requested duration.
constexpr double kChildOverheadMilliseconds = 1;
// Exit events reach the daemon when a dying task is switched out for the last time, which can be
// just after churn has reaped it; the counter settles within a few scrapes.
constexpr std::chrono::milliseconds kSettleInterval{100};
constexpr int kMostSettleScrapes = 50;

// A directory under /tmp, removed with everything in it when this goes out of scope.
class TemporaryDirectory {
 public:
  static Result<TemporaryDirectory> create() {
    char path[] = "/tmp/bpfproc-bench.XXXXXX";
    if (mkdtemp(path) == nullptr) return Error{"cannot create a temporary directory", "/tmp", errno};
    return TemporaryDirectory(path);
  }
  TemporaryDirectory(TemporaryDirectory&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TemporaryDirectory& operator=(TemporaryDirectory&&) = delete;
  ~TemporaryDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  explicit TemporaryDirectory(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

struct GroupReading {
  double cpu_seconds = 0;
  double exits = 0;
  std::map<std::string, double> events_lost;
};

GroupReading read_group(const std::vector<Sample>& samples) {
  GroupReading reading;
  reading.cpu_seconds = sum_samples(samples, "bpfproc_group_cpu_seconds_total", {{"group", kGroup}}).value_or(0);
  reading.exits = sum_samples(samples, "bpfproc_group_process_exits_total", {{"group", kGroup}}).value_or(0);
  for (const Sample& sample : samples)
    if (sample.name == "bpfproc_exporter_events_lost_total" && sample.labels.contains("source"))
      reading.events_lost[sample.labels.at("source")] = sample.value;
  return reading;
}

double rusage_seconds(const rusage& usage) {
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

Result<ChurnCapture> measure_churn_capture(const ChurnCaptureOptions& options) {
  ChurnCapture capture;
  capture.burn_milliseconds = options.burn_milliseconds;
  capture.processes = static_cast<std::uint64_t>(options.seconds * 1000 /
                                                 (static_cast<double>(options.burn_milliseconds) + kChildOverheadMilliseconds));
  if (capture.processes == 0) capture.processes = 1;

  // The group is churn, recognised by its executable and by a burn path that only this run uses
  // (a link in a fresh directory), so that a churn someone else runs on the host stays out. Its
  // burns match no rule and join it (children: true).
  auto directory = TemporaryDirectory::create();
  if (!directory) return directory.error();
  std::error_code error;
  const std::string churn_path = std::filesystem::canonical(options.churn_path, error).string();
  if (error) return Error{"cannot resolve", options.churn_path, error.value()};
  const std::string burn_link = directory->path() + "/burn";
  if (symlink(std::filesystem::canonical(options.burn_path, error).c_str(), burn_link.c_str()) != 0 || error)
    return Error{"cannot link burn", burn_link, error ? error.value() : errno};
  const std::string config_path = directory->path() + "/config.yml";
  {
    // JSON strings are YAML double-quoted scalars, escapes included.
    std::ofstream config(config_path);
    config << "process_names:\n"
           << "  - name: " << kGroup << "\n"
           << "    exe: [" << nlohmann::json(churn_path).dump() << "]\n"
           << "    cmdline: [" << nlohmann::json(" " + RE2::QuoteMeta(burn_link) + "$").dump() << "]\n"
           << "children: true\n";
    if (!config) return Error{"cannot write", config_path, errno};
  }

  spdlog::info("bench: churn capture: starting the daemon");
  auto daemon = DaemonChild::start(options.daemon_path,
                                   {"--config.file", config_path, "--no-collector.memory", "--log.level", "error"});
  if (!daemon) return daemon.error();
  auto before = daemon->scrape();
  if (!before) return before.error();
  const GroupReading start = read_group(before->samples);

  spdlog::info("bench: churn capture: {} processes of {} ms", capture.processes, options.burn_milliseconds);
  const double started = clock_seconds(CLOCK_MONOTONIC);
  auto churn = ChildProcess::spawn({churn_path, std::to_string(capture.processes),
                                    std::to_string(options.burn_milliseconds), burn_link},
                                   {});
  if (!churn) return churn.error();
  // Ten times the planned duration, plus a minute: a stuck churn, not a slow host.
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(options.seconds * 10'000)) + std::chrono::minutes(1);
  auto exit = churn->wait(timeout);
  if (!exit) return exit.error();
  capture.wall_seconds = clock_seconds(CLOCK_MONOTONIC) - started;
  if (!WIFEXITED(exit->status) || WEXITSTATUS(exit->status) != 0)
    return Error{"churn failed (its error is above)", churn_path};
  capture.rusage_cpu_seconds = rusage_seconds(exit->usage);

  GroupReading end = start;
  for (int scrape = 0; scrape < kMostSettleScrapes; ++scrape) {
    auto after = daemon->scrape();
    if (!after) return after.error();
    const GroupReading reading = read_group(after->samples);
    const bool settled = scrape > 0 && reading.cpu_seconds == end.cpu_seconds && reading.exits == end.exits;
    end = reading;
    if (settled) break;
    if (!sleep_unless_stopped(kSettleInterval)) return Error{"interrupted", "churn capture"};
  }
  capture.exported_cpu_seconds = end.cpu_seconds - start.cpu_seconds;
  capture.exported_exits = end.exits - start.exits;
  for (const auto& [source, count] : end.events_lost) {
    const auto earlier = start.events_lost.find(source);
    capture.events_lost[source] = count - (earlier == start.events_lost.end() ? 0 : earlier->second);
  }
  daemon->stop();
  return capture;
}

}  // namespace bpfproc
