// Scrapes racing collections, with the daemon's threads around one process table: the publisher's
// collection thread (scan, identities read without the lock, groups into a snapshot), an event
// drain applying a churn of short-lived processes, the memory refresher reading this process's
// smaps_rollup, and 8 HTTP scrapers plus a /health reader on the real web server. Only the kernel
// is simulated (the records the BPF side would send); everything else is the daemon's own code,
// locked as ProcessTracker locks it. Built with -DBPFPROC_SANITIZE=thread
// (scripts/test-sanitizers) it is the race test of these paths; in any build it checks what every
// scraper must see: counters that never go down and snapshots that are never torn.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <gtest/gtest.h>

#include "bpfproc/util/prometheus_text.h"
#include "bpfproc/bench/scrape_client.h"
#include "bpfproc/collectors/collector_stats.h"
#include "bpfproc/collectors/memory_refresher.h"
#include "bpfproc/grouping/process_table.h"
#include "bpfproc/procfs/proc_stat.h"
#include "bpfproc/snapshot/snapshot_publisher.h"
#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/web/health.h"
#include "bpfproc/web/scrape_source.h"
#include "bpfproc/web/web_server.h"
#include "lifecycle_events.h"

namespace bpfproc {
namespace {

using namespace std::chrono_literals;

// Above the kernel's PID_MAX_LIMIT (4,194,304): no real process has these pids, so the memory
// refresher's reads of them find nothing, as for a process that is gone.
constexpr std::uint32_t kChurnerPid = 5'000'000;
constexpr std::uint64_t kWorkerRuntimeNs = 1'000'000;  // each short-lived worker uses 1 ms

task_record record_of(std::uint32_t pid, std::uint64_t start_ns, std::uint64_t runtime_ns, const char* comm,
                      std::uint32_t parent = 1) {
  task_record record{};
  record.tid = pid;
  record.tgid = pid;
  record.parent_tgid = parent;
  record.start_ns = start_ns;
  record.process_start_ns = start_ns;
  record.flags = TASK_RECORD_LEADER;
  record.counters.runtime_ns = runtime_ns;
  record.counters.user_ns = runtime_ns / 2;
  record.counters.system_ns = runtime_ns - runtime_ns / 2;
  std::strncpy(record.comm, comm, sizeof(record.comm) - 1);
  return record;
}

std::uint64_t own_start_ns() {
  auto stat = parse_proc_stat(ProcFs().read(std::to_string(getpid()) + "/stat").value()).value();
  return stat.start_time_ticks * (1'000'000'000ull / static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK)));
}

std::uint16_t free_loopback_port() {
  FileDescriptor probe(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  if (bind(probe.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(probe.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0)
    return 0;
  return ntohs(address.sin_port);
}

// The host as the BPF side reports it: one long-lived "churner" whose CPU grows at every scan, this
// test process itself (a real process, so that /proc has its identity and its memory), and the
// workers the churner forks, each exec'd, run for 1 ms and reaped between two scans.
class SimulatedHost {
 public:
  explicit SimulatedHost(ProcessTable& table, std::mutex& mutex) : table_(table), mutex_(mutex) {}

  // One collection, locked as ProcessTracker::collect_locked and fill lock it.
  std::shared_ptr<ExporterSnapshot> collect(std::uint64_t& scan_time_ns) {
    auto snapshot = std::make_shared<ExporterSnapshot>();
    std::unique_lock lock(mutex_);
    table_.begin_scan(++scan_time_ns);
    churner_runtime_ns_ += 1000;
    table_.observe_task(record_of(kChurnerPid, 1000, churner_runtime_ns_, "churner"));
    table_.observe_task(record_of(static_cast<std::uint32_t>(getpid()), self_start_ns_, scan_time_ns * 10, "self"));
    IdentityRequests requests = table_.end_scan();
    lock.unlock();
    IdentityReplies replies;
    for (const ProcessKey& key : requests.processes) {
      if (key.pid == kChurnerPid) replies.identities.emplace_back(key, churner_identity());
      else replies.identities.emplace_back(key, read_identity(ProcFs(), key, requests.parts));  // ourselves
    }
    for (std::uint32_t uid : requests.uids) replies.user_names.emplace_back(uid, "user" + std::to_string(uid));
    lock.lock();
    table_.apply_identities(std::move(replies));
    snapshot->groups = table_.collect_groups();
    snapshot->tracked_processes = table_.tracked_processes();
    snapshot->memory_enabled = true;
    return snapshot;
  }

  // One worker's whole life, applied as the event drain applies a batch of events.
  void churn_one() {
    const std::uint32_t pid = kChurnerPid + 1 + static_cast<std::uint32_t>(workers_ % 100'000);
    const std::uint64_t start_ns = 1'000'000 + workers_;
    ++workers_;
    std::lock_guard lock(mutex_);
    table_.on_fork(fork_of({pid, start_ns}, {kChurnerPid, 1000}, "churner"));
    table_.on_exec(exec_of(record_of(pid, start_ns, 0, "worker", kChurnerPid), "/usr/bin/worker",
                           {"worker", "--job", std::to_string(workers_)}));
    table_.on_exit(exit_of(record_of(pid, start_ns, kWorkerRuntimeNs, "worker", kChurnerPid), true));
  }
  std::uint64_t workers() const { return workers_; }

 private:
  static ProcessIdentity churner_identity() {
    ProcessIdentity identity;
    identity.pid = static_cast<int>(kChurnerPid);
    identity.comm = "churner";
    identity.exe_path = "/usr/bin/churner";
    identity.argv = {"churner", "--forever"};
    identity.start_time_ns = 1000;
    return identity;
  }

  ProcessTable& table_;
  std::mutex& mutex_;
  const std::uint64_t self_start_ns_ = own_start_ns();
  std::uint64_t churner_runtime_ns_ = 0;  // the collection thread's only
  std::uint64_t workers_ = 0;             // the drain thread's only
};

struct ScraperView {
  std::uint64_t scrapes = 0;
  std::vector<std::string> failures;  // what this scraper saw wrong; checked on the test's thread
};

TEST(ConcurrentScrapes, EveryScraperSeesMonotonicCountersAndWholeSnapshotsWhileCollectionsRace) {
  // As main() does before any thread starts: spdlog's registry is a function-local static of an
  // uninstrumented library, whose first use from two threads TSan reports as a race.
  spdlog::set_level(spdlog::level::info);
  ProcessTable table(parse_config("process_names: [{name: '{{.Comm}}', cmdline: ['.+']}]\n", "test").value());
  std::mutex table_mutex;
  SimulatedHost host(table, table_mutex);

  std::uint64_t scan_time_ns = 0;
  // max_age 0: every scrape asks for a collection, so collections run back to back under them.
  SnapshotPublisher publisher([&] { return host.collect(scan_time_ns); },
                              {.max_age = 0ms, .interval = 10ms, .reader_wait = 1000ms});
  publisher.publish_now();
  publisher.start();

  CollectorStats memory_stats("memory");
  MemoryRefresher refresher(ProcFs(), table, table_mutex, {.schedule = {.interval = 1ms}, .cpu_budget = 1.0}, memory_stats);
  refresher.start();

  const std::uint16_t port = free_loopback_port();
  ASSERT_NE(port, 0);
  auto scrapes = std::make_shared<ScrapeSource>(publisher);
  auto server = WebServer::start({.listen_addresses = {"127.0.0.1:" + std::to_string(port)}}, scrapes,
                                 [&publisher] { return health_json(publisher.latest().get()); });
  ASSERT_TRUE(server.ok()) << server.error().message();
  // Plain threads start after the last ASSERT, which would return past their join (the publisher
  // and the refresher stop their own when destroyed).

  std::atomic<bool> stop{false};
  std::thread drain([&] {
    while (!stop) {
      host.churn_one();
      std::this_thread::sleep_for(200us);
    }
  });

  constexpr int kScrapers = 8;
  constexpr int kScrapesEach = 40;
  std::vector<ScraperView> views(kScrapers);
  std::vector<std::thread> scrapers;
  for (int index = 0; index < kScrapers; ++index) {
    scrapers.emplace_back([&, view = &views[index]] {
      std::map<std::string, double> last;  // counter series -> last value seen by this scraper
      double last_scrapes_total = 0;
      for (int scrape = 0; scrape < kScrapesEach; ++scrape) {
        auto response = http_get(port, "/metrics", 10s);
        if (!response || response->status != 200) {
          view->failures.push_back("scrape failed: " + (response ? std::to_string(response->status) : response.error().message()));
          continue;
        }
        ++view->scrapes;
        const std::vector<Sample> samples = parse_prometheus_text(response->body);
        // Our own scrape was counted before the text was written: each is a new, higher count.
        const double scrapes_total = sum_samples(samples, "bpfproc_exporter_scrapes_total").value_or(0);
        if (scrapes_total <= last_scrapes_total)
          view->failures.push_back("scrapes_total " + std::to_string(scrapes_total) + " after " +
                                   std::to_string(last_scrapes_total));
        last_scrapes_total = scrapes_total;
        for (const Sample& sample : samples) {
          if (!sample.name.ends_with("_total") || !sample.name.starts_with("bpfproc_group_")) continue;
          std::string series = sample.name;
          for (const auto& [label, value] : sample.labels) series += "," + label + "=" + value;
          auto [previous, inserted] = last.try_emplace(series, sample.value);
          if (!inserted && sample.value < previous->second)
            view->failures.push_back(series + " went down: " + std::to_string(previous->second) + " -> " +
                                     std::to_string(sample.value));
          previous->second = sample.value;
        }
        // Whole snapshots: a worker's exit brings its 1 ms and its exit count into the group in one
        // step, so every snapshot has exactly 1 ms of worker CPU per worker exit.
        const auto exits = sum_samples(samples, "bpfproc_group_process_exits_total", {{"group", "worker"}});
        const auto cpu = sum_samples(samples, "bpfproc_group_cpu_seconds_total", {{"group", "worker"}});
        if (exits.has_value() != cpu.has_value() ||
            (exits && std::abs(*cpu - *exits * static_cast<double>(kWorkerRuntimeNs) / 1e9) > 1e-9 * (1 + *exits)))
          view->failures.push_back("worker: " + std::to_string(cpu.value_or(-1)) + " s of CPU for " +
                                   std::to_string(exits.value_or(-1)) + " exits");
      }
    });
  }
  std::thread health_reader([&] {
    while (!stop) {
      auto response = http_get(port, "/health", 10s);
      if (response) EXPECT_EQ(response->status, 200);
    }
  });

  for (std::thread& scraper : scrapers) scraper.join();
  stop = true;
  health_reader.join();
  drain.join();

  std::uint64_t served = 0;
  for (int index = 0; index < kScrapers; ++index) {
    EXPECT_TRUE(views[index].failures.empty()) << "scraper " << index << ": " << views[index].failures.size()
                                               << " findings, the first: " << views[index].failures.front();
    served += views[index].scrapes;
  }
  EXPECT_EQ(served, kScrapers * kScrapesEach);
  EXPECT_EQ(scrapes->scrapes(), served) << "every scrape counted once, none lost to a race";
  EXPECT_GT(host.workers(), 0u);
  EXPECT_GE(publisher.collections(), 2u);

  // After the churn: the last snapshot holds every worker, and the refresher read our memory.
  std::shared_ptr<const ExporterSnapshot> last = publisher.collect_and_wait();
  std::string own_comm = ProcFs().read("self/comm").value();
  own_comm.erase(own_comm.find_last_not_of('\n') + 1);
  std::uint64_t worker_exits = 0;
  bool own_memory = false;
  for (const GroupTotals& group : last->groups) {
    if (group.name == "worker") worker_exits = group.exits;
    if (group.name == own_comm) own_memory = group.has_memory && group.memory.pss > 0;
  }
  EXPECT_EQ(worker_exits, host.workers());
  EXPECT_GT(memory_stats.status().count, 0u);
  EXPECT_TRUE(own_memory) << "the memory refresher's readings of this process reach its group " << own_comm;
}

}  // namespace
}  // namespace bpfproc
