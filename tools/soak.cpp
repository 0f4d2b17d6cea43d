// soak: the release daemon under process churn for a long time, checked for leaks and losses.
//
// It starts bpfproc (build/bpfproc) on a free loopback port, then tools/soakload in a cgroup v2 of
// its own: short-lived processes, execs into another group, threads that start and exit, a slowly
// growing number of sleepers, and a group that empties, is removed after --group.retention and
// comes back. It scrapes /metrics every second for --duration and checks, in a table at the end:
//   - the daemon's RSS and open fds are flat: the median of the last quarter of the run after the
//     warm-up against the median of the first quarter;
//   - no cumulative series (_total, _bucket, _count, _sum) ever decreases between two consecutive
//     scrapes; a series absent in between is the documented reset of a removed group;
//   - bpfproc_exporter_events_lost_total stays 0 for every source;
//   - no exited process is missing: the CPU the workload's groups rose by equals the workload
//     cgroup's usage_usec (exited tasks included) and its getrusage (wait4), within --cpu-tolerance,
//     and the groups counted every process exit.
// Exit status: 0 when every check passes, 1 on a failed check or a run that could not be done,
// 2 on bad arguments. Needs root (the daemon loads BPF programs).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include <CLI/CLI.hpp>
#include <spdlog/fmt/fmt.h>

#include "bpfproc/bench/counter_watch.h"
#include "bpfproc/bench/daemon_child.h"
#include "bpfproc/bench/scrape_client.h"
#include "bpfproc/util/child_process.h"
#include "bpfproc/util/duration.h"
#include "bpfproc/util/interruptible_wait.h"
#include "bpfproc/util/whole_file.h"

namespace bpfproc {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The workload's groups, named by the config below; the blink group comes and goes.
const std::vector<std::string> kWorkloadGroups{"soak-load", "soak-exec", "soak-blink"};
const std::string kBlinkGroup = "soak-blink";

// The comm of a workload role (L: soakload, X: what it execs, B: the blink), unique to this run:
// another soak's daemon on the same host groups by these comms too, and must not count ours. At
// most 13 characters, within the kernel's 15.
std::string workload_comm(char role) { return fmt::format("soak{}-{}", role, getpid()); }
// Short, so that the blink group (one process every 30 s that lives 3 s) is removed and returns
// many times in a run, while the retention still spans several scrapes: a group's final values
// are always scraped before it goes.
constexpr const char* kGroupRetention = "10s";
// After the workload is gone: its last exits reach the daemon in tens of ms (the free event comes
// 17-27 ms after the final switch); three scrapes leave ample time and stay within the retention.
constexpr int kDrainScrapes = 3;
constexpr seconds kScrapeInterval{1};
// A scrape of a few thousand series takes milliseconds; a minute means the daemon is stuck.
constexpr seconds kScrapeTimeout{60};
constexpr seconds kProgressInterval{30};

struct Options {
  std::string bpfproc;
  std::string soakload;
  milliseconds duration{};
  std::optional<milliseconds> warm_up;
  double rate = 300;
  double thread_rate = 100;
  long exec_every = 4;
  long burn_us = 200;
  milliseconds sleeper_every{5000};
  long max_sleepers = 500;
  milliseconds blink_every{30000};
  double rss_growth_percent = 5;
  double fd_growth = 0;
  double cpu_tolerance_percent = 1;
  std::vector<std::string> daemon_arguments;
};

// The cgroup v2 mount from mountinfo: hosts differ (/sys/fs/cgroup, /sys/fs/cgroup/unified).
Result<std::string> cgroup2_mount() {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    const auto separator = line.find(" - ");
    if (separator == std::string::npos || line.compare(separator + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, separator));
    std::string field, mount_point;
    for (int index = 0; index < 5 && fields >> field; ++index)
      if (index == 4) mount_point = field;
    if (!mount_point.empty()) return mount_point;
  }
  return Error{"no cgroup2 mount", "/proc/self/mountinfo"};
}

// A cgroup v2 of the soak's own: cpu.stat usage_usec is the kernel's exact CPU of every task that
// ran in it, exited ones included (it works without the cpu controller). On the way out, whatever
// is left in it is killed and it is removed.
class WorkloadCgroup {
 public:
  static Result<WorkloadCgroup> create() {
    auto mount = cgroup2_mount();
    if (!mount) return mount.error();
    std::string path = *mount + "/bpfproc-soak-" + std::to_string(getpid());
    if (mkdir(path.c_str(), 0755) != 0) return Error{"cannot create the cgroup", path, errno};
    return WorkloadCgroup(std::move(path));
  }
  WorkloadCgroup(WorkloadCgroup&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  WorkloadCgroup& operator=(WorkloadCgroup&&) = delete;
  ~WorkloadCgroup() {
    if (path_.empty()) return;
    std::ofstream(path_ + "/cgroup.kill") << "1\n";
    (void)wait_empty(seconds(5));  // best effort on the way out; rmdir says if it failed
    if (rmdir(path_.c_str()) != 0) std::cerr << "soak: cannot remove " << path_ << ": " << strerror(errno) << "\n";
  }
  const std::string& path() const { return path_; }

  std::optional<std::uint64_t> value(const std::string& file, const std::string& key) const {
    auto text = read_whole_file(path_ + "/" + file);
    if (!text) return std::nullopt;
    std::istringstream lines(*text);
    std::string name;
    std::uint64_t number = 0;
    while (lines >> name >> number)
      if (name == key) return number;
    return std::nullopt;
  }
  bool wait_empty(milliseconds timeout) const {
    const Deadline deadline = deadline_in(timeout);
    while (value("cgroup.events", "populated").value_or(0) != 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      usleep(10'000);
    }
    return true;
  }

 private:
  explicit WorkloadCgroup(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// The config file and the links that give soakload's processes their comms, removed at the end.
class Scratch {
 public:
  static Result<Scratch> create(const std::string& soakload) {
    Scratch scratch("/tmp/bpfproc-soak-" + std::to_string(getpid()));
    std::error_code error;
    fs::remove_all(scratch.directory_, error);
    if (!fs::create_directory(scratch.directory_, error)) return Error{"cannot create", scratch.directory_, error.value()};
    for (const char role : {'L', 'X', 'B'}) {
      const std::string comm = workload_comm(role);
      fs::create_symlink(fs::absolute(soakload), scratch.link(comm), error);
      if (error) return Error{"cannot create a link", scratch.link(comm), error.value()};
    }
    // The workload's rules first (the first match wins), then one group per comm for the rest of
    // the host, so that every group the host makes and ends is checked too.
    std::ofstream(scratch.config()) << "process_names:\n"
                                    << "  - {name: soak-load, comm: [" << workload_comm('L') << "]}\n"
                                    << "  - {name: soak-exec, comm: [" << workload_comm('X') << "]}\n"
                                    << "  - {name: soak-blink, comm: [" << workload_comm('B') << "]}\n"
                                    << "  - {name: \"{{.Comm}}\", cmdline: [\".+\"]}\n";
    return scratch;
  }
  Scratch(Scratch&& other) noexcept : directory_(std::exchange(other.directory_, {})) {}
  Scratch& operator=(Scratch&&) = delete;
  ~Scratch() {
    std::error_code ignored;  // a leftover in /tmp is harmless
    if (!directory_.empty()) fs::remove_all(directory_, ignored);
  }
  std::string link(const std::string& comm) const { return directory_ + "/" + comm; }
  std::string config() const { return directory_ + "/config.yml"; }

 private:
  explicit Scratch(std::string directory) : directory_(std::move(directory)) {}
  std::string directory_;
};

std::size_t open_fds(pid_t pid) {
  std::error_code error;
  std::size_t count = 0;
  for (fs::directory_iterator entry("/proc/" + std::to_string(pid) + "/fd", error), end; !error && entry != end;
       entry.increment(error))
    ++count;
  return count;
}

double median(std::vector<double> values) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// A sample of the daemon, taken after each scrape.
struct Reading {
  double seconds = 0;  // since the workload started
  double rss_mib = 0;
  double fds = 0;
  double tracked = NAN;  // bpfproc_exporter_tracked_processes: the host's processes, which RSS follows
};

// The median of the first and of the last quarter of the readings after the warm-up.
struct Quarters {
  double first = NAN;
  double last = NAN;
  std::size_t samples = 0;
};

Quarters quarters(const std::vector<Reading>& readings, double warm_up_seconds, double Reading::*field) {
  std::vector<double> values;
  for (const Reading& reading : readings)
    if (reading.seconds >= warm_up_seconds) values.push_back(reading.*field);
  const std::size_t quarter = values.size() / 4;
  if (quarter == 0) return {};
  return {median({values.begin(), values.begin() + static_cast<long>(quarter)}),
          median({values.end() - static_cast<long>(quarter), values.end()}), values.size()};
}

double peak(const std::vector<Reading>& readings, double Reading::*field) {
  double highest = NAN;
  for (const Reading& reading : readings)
    if (std::isnan(highest) || reading.*field > highest) highest = reading.*field;
  return highest;
}

struct Row {
  std::string check, first, observed, limit;
  bool pass = false;
};

void print_table(const std::vector<Row>& rows) {
  std::vector<std::array<std::string, 5>> cells{{"check", "first quarter", "last quarter / observed", "limit", "result"}};
  for (const Row& row : rows) cells.push_back({row.check, row.first, row.observed, row.limit, row.pass ? "PASS" : "FAIL"});
  std::array<std::size_t, 5> widths{};
  for (const auto& line : cells)
    for (std::size_t column = 0; column < 5; ++column) widths[column] = std::max(widths[column], line[column].size());
  for (const auto& line : cells) {
    std::string text;
    for (std::size_t column = 0; column < 5; ++column)
      text += column + 1 < 5 ? fmt::format("{:<{}}  ", line[column], widths[column]) : line[column];
    std::cout << text << "\n";
  }
}

double percent_difference(double value, double reference) { return (value - reference) / reference * 100; }

// The workload's summary line: "processes N execs N blinks N sleepers N threads N failures N".
std::map<std::string, double> parse_summary(const std::string& line) {
  std::map<std::string, double> summary;
  std::istringstream words(line);
  std::string name;
  double value = 0;
  while (words >> name >> value) summary[name] = value;
  return summary;
}

// Every scrape, checked as it comes: counters against the scrape before, lost events, the blink
// group's comings and goings.
class ScrapeLog {
 public:
  void take(const DaemonChild& daemon) {
    auto response = http_get(daemon.port(), "/metrics", kScrapeTimeout);
    if (!response || response->status != 200) {
      ++failed_;
      std::cerr << "soak: scrape failed: "
                << (response ? "HTTP status " + std::to_string(response->status) : response.error().message()) << "\n";
      return;
    }
    seconds_.push_back(response->seconds);
    const std::vector<Sample> samples = parse_prometheus_text(response->body);
    // A group retired at a collection that no scrape read (a scrape that waited too long is
    // answered from the snapshot before), then a new process of that name: a reset that the
    // scrapes cannot see as an absence. Only then may a group's series go down.
    const double collections =
        sum_samples(samples, "bpfproc_exporter_collector_duration_seconds_count", {{"collector", "tasks"}}).value_or(NAN);
    const double retired = sum_samples(samples, "bpfproc_exporter_groups_retired_total").value_or(NAN);
    const bool unread_retirement = collections - collections_ > 1 && retired > retired_;
    collections_ = collections;
    retired_ = retired;
    const std::size_t found = decreases_.size();
    for (auto& decrease : watch_.observe(samples)) {
      if (unread_retirement && decrease.labels.contains("group")) watch_.count_as_reset(decrease);
      else decreases_.push_back(std::move(decrease));
    }
    if (decreases_.size() > found) keep_for_inspection(response->body);
    previous_body_ = std::move(response->body);
    bool blink_now = false;
    for (const Sample& sample : samples) {
      if (sample.name == "bpfproc_exporter_events_lost_total") {
        const std::string source = sample.labels.contains("source") ? sample.labels.at("source") : "";
        lost_by_source_[source] = std::max(lost_by_source_[source], sample.value);
      }
      if (sample.name == "bpfproc_exporter_tracked_processes") tracked_ = sample.value;
      if (sample.name == "bpfproc_group_cpu_seconds_total" && sample.labels.contains("group") &&
          sample.labels.at("group") == kBlinkGroup)
        blink_now = true;
    }
    if (blink_now && !blink_present_ && blink_seen_) ++blink_returns_;
    blink_seen_ |= blink_now;
    blink_present_ = blink_now;
  }

  const CounterWatch& watch() const { return watch_; }
  const std::vector<CounterDecrease>& decreases() const { return decreases_; }
  const std::map<std::string, double>& lost_by_source() const { return lost_by_source_; }
  const std::vector<double>& seconds() const { return seconds_; }  // of each answered scrape
  std::size_t failed() const { return failed_; }
  std::size_t blink_returns() const { return blink_returns_; }
  double tracked() const { return tracked_; }  // in the last answered scrape

 private:
  // The expositions before and after a decrease, for the first few, as files next to the
  // scratch directory: what went down is then there to read.
  void keep_for_inspection(const std::string& body) {
    if (kept_ >= kKeptDecreases) return;
    ++kept_;
    const std::string stem = fmt::format("/tmp/bpfproc-soak-{}-decrease-{}", getpid(), kept_);
    std::ofstream(stem + "-before.prom") << previous_body_;
    std::ofstream(stem + "-after.prom") << body;
    std::cerr << "soak: a counter went down; the two expositions are in " << stem << "-{before,after}.prom\n";
  }

  static constexpr std::size_t kKeptDecreases = 3;
  CounterWatch watch_;
  std::vector<CounterDecrease> decreases_;
  std::string previous_body_;
  std::size_t kept_ = 0;
  double collections_ = NAN;  // the tasks collector's, at the last scrape
  double retired_ = NAN;      // groups retired, at the last scrape
  std::map<std::string, double> lost_by_source_;  // the highest value seen, by source
  std::vector<double> seconds_;
  std::size_t failed_ = 0;
  std::size_t blink_returns_ = 0;
  bool blink_present_ = false;
  bool blink_seen_ = false;
  double tracked_ = NAN;
};

// What a finished run measured, besides the scrapes.
struct Outcome {
  std::vector<Reading> readings;
  double warm_up_seconds = 0;
  double workload_seconds = 0;
  double daemon_cpu_seconds = 0;
  double cgroup_cpu = 0;  // s: the cgroup's usage_usec plus soakload's runtime before it moved in
  double rusage_cpu = 0;  // s: wait4's rusage of soakload and everything it reaped
  std::map<std::string, double> summary;  // soakload's last line
  double summary_value(const std::string& key) const { return summary.contains(key) ? summary.at(key) : NAN; }
  double processes() const { return summary_value("processes") + 1; }  // and soakload itself
};

std::vector<Row> judge(const Outcome& outcome, const ScrapeLog& log, const Options& options) {
  std::vector<Row> rows;
  const Quarters rss = quarters(outcome.readings, outcome.warm_up_seconds, &Reading::rss_mib);
  const double rss_growth = percent_difference(rss.last, rss.first);
  rows.push_back({"daemon RSS, median (MiB)", fmt::format("{:.2f}", rss.first),
                  fmt::format("{:.2f} ({:+.2f}%)", rss.last, rss_growth), fmt::format("<= +{:g}%", options.rss_growth_percent),
                  rss.samples >= 4 && rss_growth <= options.rss_growth_percent});
  const Quarters fds = quarters(outcome.readings, outcome.warm_up_seconds, &Reading::fds);
  rows.push_back({"daemon open fds, median", fmt::format("{:g}", fds.first),
                  fmt::format("{:g} ({:+g})", fds.last, fds.last - fds.first), fmt::format("<= +{:g}", options.fd_growth),
                  fds.samples >= 4 && fds.last - fds.first <= options.fd_growth});
  const CounterWatch& watch = log.watch();
  rows.push_back({"counter decreases", "-",
                  fmt::format("{} in {} scrapes of {} series ({} returns after removal, {} resets at unread "
                              "collections)",
                              log.decreases().size(), watch.scrapes(), watch.series(), watch.returns(), watch.resets()),
                  "0", log.decreases().empty()});
  double lost = 0;
  std::string lost_sources;
  for (const auto& [source, value] : log.lost_by_source()) {
    lost += value;
    if (value > 0) lost_sources += fmt::format(" {}={:g}", source, value);
  }
  rows.push_back({fmt::format("events lost ({} sources)", log.lost_by_source().size()), "-",
                  fmt::format("{:g}{}", lost, lost_sources), "0", !log.lost_by_source().empty() && lost == 0});
  rows.push_back({"scrapes failed", "-", std::to_string(log.failed()), "0", log.failed() == 0});

  double exported_cpu = 0, exported_exits = 0;
  for (const std::string& group : kWorkloadGroups) {
    exported_cpu += watch.increase("bpfproc_group_cpu_seconds_total", {{"group", group}});
    exported_exits += watch.increase("bpfproc_group_process_exits_total", {{"group", group}});
  }
  for (const auto& [reference, name] : {std::pair{outcome.cgroup_cpu, "cgroup usage_usec"}, {outcome.rusage_cpu, "getrusage"}}) {
    const double difference = percent_difference(exported_cpu, reference);
    rows.push_back({fmt::format("workload CPU vs {} (s)", name), "-",
                    fmt::format("{:.4f} exported, {:.4f} reference ({:+.3f}%)", exported_cpu, reference, difference),
                    fmt::format("±{:g}%", options.cpu_tolerance_percent),
                    std::abs(difference) <= options.cpu_tolerance_percent});
  }
  rows.push_back({"workload process exits", "-",
                  fmt::format("{:g} exported, {:g} started", exported_exits, outcome.processes()), "equal",
                  exported_exits == outcome.processes()});
  const double failures = outcome.summary_value("failures");
  rows.push_back({"workload children as planned", "-", fmt::format("{:g} failures", failures), "0", failures == 0});
  return rows;
}

void print_figures(const Outcome& outcome, const ScrapeLog& log) {
  const std::vector<double>& latencies = log.seconds();
  const Quarters tracked = quarters(outcome.readings, outcome.warm_up_seconds, &Reading::tracked);
  const double seconds = outcome.workload_seconds;
  std::cout << fmt::format(
      "\nrun: {:.0f} s of workload, warm-up {:.0f} s, {} scrapes (median {:.1f} ms, max {:.1f} ms)\n"
      "workload: {:.0f} process exits/s ({:g} processes, {:g} of them exec'd), {:.0f} thread exits/s, {:g} sleepers "
      "at the end, the blink group came back {} times; {:.1f} s of CPU ({:.0f}% of a core)\n"
      "daemon: {:.2f} s of CPU during the workload ({:.2f}% of a core), RSS {:.2f} MiB at the end, peak {:.2f} MiB\n"
      "host: {:.0f} processes tracked (median of the first quarter), {:.0f} (last quarter), {:.0f} at the peak\n",
      seconds, outcome.warm_up_seconds, log.watch().scrapes(), median(latencies) * 1000,
      latencies.empty() ? NAN : *std::max_element(latencies.begin(), latencies.end()) * 1000,
      outcome.processes() / seconds, outcome.processes(), outcome.summary_value("execs"),
      outcome.summary_value("threads") / seconds, outcome.summary_value("sleepers"), log.blink_returns(),
      outcome.cgroup_cpu, outcome.cgroup_cpu / seconds * 100, outcome.daemon_cpu_seconds,
      outcome.daemon_cpu_seconds / seconds * 100, outcome.readings.empty() ? NAN : outcome.readings.back().rss_mib,
      peak(outcome.readings, &Reading::rss_mib), tracked.first, tracked.last, peak(outcome.readings, &Reading::tracked));
  const auto& decreases = log.decreases();
  for (std::size_t index = 0; index < decreases.size() && index < 20; ++index)
    std::cout << fmt::format("decrease at scrape {}: {} {:.17g} -> {:.17g}\n", decreases[index].scrape,
                             decreases[index].series, decreases[index].before, decreases[index].after);
}

int run_failed(const std::string& message) {
  std::cerr << "soak: " << message << "\n";
  return 1;
}

int run_soak(const Options& options) {
  if (geteuid() != 0) return run_failed("needs root: the daemon loads BPF programs");
  const StopSignals stop_signals;
  const double duration_seconds = static_cast<double>(options.duration.count()) / 1000;
  Outcome outcome;
  // The default warm-up covers what the daemon does once, or once in a while, before it settles:
  // the memory refresher's first passes over every process (--memory.interval 30s), the first
  // periodic full pass of the task walk (every 40th collection: 40 s at one scrape a second), and
  // the table filling to the host's working size. It is cut to a quarter of shorter runs.
  outcome.warm_up_seconds =
      options.warm_up ? static_cast<double>(options.warm_up->count()) / 1000 : std::min(60.0, duration_seconds / 4);

  auto scratch = Scratch::create(options.soakload);
  if (!scratch) return run_failed(scratch.error().message());
  auto cgroup = WorkloadCgroup::create();
  if (!cgroup) return run_failed(cgroup.error().message());

  std::vector<std::string> daemon_arguments{"--config.file", scratch->config(), "--group.retention", kGroupRetention,
                                            "--collector.runqueue-latency"};
  daemon_arguments.insert(daemon_arguments.end(), options.daemon_arguments.begin(), options.daemon_arguments.end());
  auto daemon = DaemonChild::start(options.bpfproc, daemon_arguments);
  if (!daemon) return run_failed(daemon.error().message());
  ScrapeLog log;
  log.take(*daemon);  // the baseline, before the workload
  if (log.failed()) return run_failed("the first scrape failed");

  const std::vector<std::string> workload_argv{scratch->link(workload_comm('L')),
                                               "-g", cgroup->path(),
                                               "-r", fmt::format("{}", options.rate),
                                               "-t", fmt::format("{}", options.thread_rate),
                                               "-e", std::to_string(options.exec_every),
                                               "-u", std::to_string(options.burn_us),
                                               "-s", std::to_string(options.sleeper_every.count()),
                                               "-m", std::to_string(options.max_sleepers),
                                               "-b", std::to_string(options.blink_every.count()),
                                               scratch->link(workload_comm('X')),
                                               scratch->link(workload_comm('B'))};
  auto workload = ChildProcess::spawn(workload_argv, {.stdin_pipe = true, .stdout_pipe = true});
  if (!workload) return run_failed(workload.error().message());
  auto before_move = workload->read_line(seconds(10));
  if (!before_move) return run_failed("soakload did not start: " + before_move.error().message());
  const double before_move_ns = std::strtod(before_move->c_str(), nullptr);

  auto daemon_cpu_start = daemon->cpu_seconds();
  if (!daemon_cpu_start) return run_failed(daemon_cpu_start.error().message());
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  double next_progress = std::chrono::duration<double>(kProgressInterval).count();
  for (long tick = 1;; ++tick) {
    const auto due = start + tick * kScrapeInterval;
    if (due > start + options.duration) break;
    if (!sleep_unless_stopped(std::chrono::duration_cast<milliseconds>(due - std::chrono::steady_clock::now())))
      return run_failed("interrupted; stopped everything it had started");
    if (std::chrono::steady_clock::now() > due + kScrapeInterval) continue;  // a stall: skip, do not burst
    // Read before the scrape, a second after the last one: right after a scrape the daemon may
    // still hold that connection's socket for a moment, which is not a leak.
    auto rss = daemon->resident_bytes();
    if (!rss) return run_failed("the daemon is gone: " + rss.error().message());
    Reading reading{elapsed(), static_cast<double>(*rss) / (1 << 20), static_cast<double>(open_fds(daemon->pid()))};
    log.take(*daemon);
    reading.tracked = log.tracked();
    outcome.readings.push_back(reading);
    if (!workload->running()) return run_failed("soakload exited early");
    if (reading.seconds >= next_progress) {
      std::cerr << fmt::format("soak: {:.0f}/{:.0f} s: RSS {:.1f} MiB, {} fds, {} scrapes, {} decreases\n", reading.seconds,
                               duration_seconds, reading.rss_mib, reading.fds, log.watch().scrapes(),
                               log.decreases().size());
      next_progress += std::chrono::duration<double>(kProgressInterval).count();
    }
  }
  outcome.workload_seconds = elapsed();
  auto daemon_cpu_end = daemon->cpu_seconds();
  if (!daemon_cpu_end) return run_failed(daemon_cpu_end.error().message());
  outcome.daemon_cpu_seconds = *daemon_cpu_end - *daemon_cpu_start;

  workload->close_stdin();
  auto summary_line = workload->read_line(seconds(60));
  if (!summary_line) return run_failed("soakload did not finish: " + summary_line.error().message());
  outcome.summary = parse_summary(*summary_line);
  auto workload_exit = workload->wait(seconds(60));
  if (!workload_exit) return run_failed("soakload did not exit: " + workload_exit.error().message());
  if (!cgroup->wait_empty(seconds(10))) return run_failed("the workload cgroup did not empty");
  for (int drain = 0; drain < kDrainScrapes; ++drain) {
    if (!sleep_unless_stopped(kScrapeInterval)) return run_failed("interrupted; stopped everything it had started");
    log.take(*daemon);
  }

  // The references: every task that ran in the cgroup, plus soakload's own runtime before it
  // moved in; and wait4's rusage of soakload and every descendant it reaped. Both also hold the
  // moment between soak's fork and soakload's exec, which the daemon gives to soak's group: tens
  // of µs, well within the tolerance.
  const auto usage_usec = cgroup->value("cpu.stat", "usage_usec");
  if (!usage_usec) return run_failed("cannot read cpu.stat of " + cgroup->path());
  outcome.cgroup_cpu = static_cast<double>(*usage_usec) / 1e6 + before_move_ns / 1e9;
  const rusage& usage = workload_exit->usage;
  outcome.rusage_cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;

  const std::vector<Row> rows = judge(outcome, log, options);
  print_table(rows);
  print_figures(outcome, log);
  const bool passed = std::all_of(rows.begin(), rows.end(), [](const Row& row) { return row.pass; });
  std::cout << (passed ? "soak: PASS\n" : "soak: FAIL\n");
  return passed ? 0 : 1;
}

}  // namespace
}  // namespace bpfproc

int main(int argc, char** argv) {
  using namespace bpfproc;
  Options options;
  std::error_code error;
  const fs::path tools = fs::read_symlink("/proc/self/exe", error).parent_path();
  options.bpfproc = (tools.parent_path() / "bpfproc").string();
  options.soakload = (tools / "soakload").string();
  std::string duration = "3m", warm_up, sleeper_every = "5s", blink_every = "30s";

  CLI::App app{"soak: runs the bpfproc daemon under process churn and checks it for leaks and losses"};
  // The last one counts, so that scripts/test-soak's 3m can be overridden.
  app.add_option("--duration", duration, "how long the workload runs, e.g. 3m, 30m")
      ->capture_default_str()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--warm-up", warm_up, "left out of the RSS and fd checks (default: 60s, at most a quarter of the run)");
  app.add_option("--bpfproc", options.bpfproc, "the daemon")
      ->capture_default_str()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--soakload", options.soakload, "the workload tool")->capture_default_str();
  app.add_option("--rate", options.rate, "short-lived processes a second")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--thread-rate", options.thread_rate, "thread exits a second")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--exec-every", options.exec_every, "every Nth short-lived process execs into another group (0: none)")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--burn-us", options.burn_us, "CPU each short-lived process and thread burns, µs")->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--sleeper-every", sleeper_every, "one more sleeping process this often")->capture_default_str();
  app.add_option("--max-sleepers", options.max_sleepers, "sleepers at most")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--blink-every", blink_every, "a process of a group that empties and comes back, this often")->capture_default_str();
  app.add_option("--rss-growth", options.rss_growth_percent, "RSS growth allowed, %")->capture_default_str();
  app.add_option("--fd-growth", options.fd_growth, "open fd growth allowed")->capture_default_str();
  app.add_option("--cpu-tolerance", options.cpu_tolerance_percent, "exported CPU against the references, ±%")->capture_default_str();
  app.add_option("--daemon-arg", options.daemon_arguments, "one more argument for the daemon (repeatable)")->allow_extra_args(false);
  CLI11_PARSE(app, argc, argv);

  const auto parse = [](const char* flag, const std::string& text) -> std::optional<milliseconds> {
    auto parsed = parse_duration_flag(flag, text, true);
    if (parsed) return *parsed;
    std::cerr << "soak: " << parsed.error().message() << "\n";
    return std::nullopt;
  };
  const auto parsed_duration = parse("--duration", duration), parsed_sleeper = parse("--sleeper-every", sleeper_every),
             parsed_blink = parse("--blink-every", blink_every);
  if (!parsed_duration || !parsed_sleeper || !parsed_blink) return 2;
  options.duration = *parsed_duration;
  options.sleeper_every = *parsed_sleeper;
  options.blink_every = *parsed_blink;
  if (!warm_up.empty()) {
    options.warm_up = parse("--warm-up", warm_up);
    if (!options.warm_up) return 2;
    if (*options.warm_up * 2 > options.duration) {
      std::cerr << "soak: --warm-up must be at most half of --duration\n";
      return 2;
    }
  }
  return run_soak(options);
}
