#include "bpfproc/measure/measure.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "bpfproc/kernel/bpf_collector.h"
#include "bpfproc/kernel/check.h"
#include "bpfproc/util/clock.h"
#include "bpfproc/measure/measure_report.h"
#include "bpfproc/collectors/memory_refresher.h"
#include "bpfproc/accounting/process_tree.h"
#include "bpfproc/procfs/procfs.h"
#include "bpfproc/util/exit_status.h"
#include "bpfproc/util/pipe.h"
#include "bpfproc/util/signals.h"

namespace bpfproc {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// The command could not be run: found but not executable, or not found, as env(1), time(1) and
// the shells report it.
constexpr int kExitCannotExecute = 126;
constexpr int kExitNotFound = 127;

// The command's fork event is in the ring buffer before fork() returns; this only bounds the
// wait when it was lost.
constexpr milliseconds kForkEventTimeout{5000};
// After the command is reaped, its final context switch (and those of descendants reaped just
// before it) can still be under way on another CPU: wait this long at most for their exit events.
constexpr milliseconds kSettleTimeout{2000};
constexpr milliseconds kSettlePoll{10};
// A thread's final switch can trail the exit event that reported its process dead by a few µs
// (a preempted thread by a run-queue wait): one more drain after this pause collects it.
constexpr milliseconds kStragglerPause{20};

// Waits for the fork event of the command's process, which gives its (pid, start time) key.
class CommandForkFinder : public EventSink {
 public:
  CommandForkFinder(pid_t parent, pid_t child) : parent_(parent), child_(child) {}
  void on_fork(const fork_event& event) override {
    if (static_cast<pid_t>(event.parent_tgid) == parent_ && static_cast<pid_t>(event.pid) == child_)
      root_ = ProcessKey{event.pid, event.start_ns};
  }
  void on_exec(const exec_event&) override {}
  void on_exit(const exit_event&) override {}
  const std::optional<ProcessKey>& root() const { return root_; }

 private:
  pid_t parent_;
  pid_t child_;
  std::optional<ProcessKey> root_;
};

// The child side: wait until the parent knows our key, then become the command. An exec failure
// goes back to the parent through error_fd (close-on-exec, so it reads nothing on success).
[[noreturn]] void become_command(std::vector<char*>& argv, int release_fd, int error_fd) {
  char byte = 0;
  ssize_t count;
  do count = read(release_fd, &byte, 1);
  while (count < 0 && errno == EINTR);
  if (count != 1) _exit(kExitFailure);  // the parent gave up before releasing us
  execvp(argv[0], argv.data());
  const int error = errno;
  [[maybe_unused]] const ssize_t written = write(error_fd, &error, sizeof(error));
  _exit(error == ENOENT ? kExitNotFound : kExitCannotExecute);
}

void drain(BpfCollector& collector, EventSink& sink) {
  auto drained = collector.drain_events(sink);
  if (!drained) spdlog::warn("{}", drained.error().message());
}

void sample_memory(const ProcFs& procfs, const ProcessTree& tree, PeakMemory& peak) {
  MemoryUsage sum;
  bool any = false;
  for (const ProcessKey& key : tree.live_members()) {
    const MemoryReading reading = read_process_memory(procfs, key);
    if (!reading.usage) continue;  // gone since the last event, or a kernel thread
    sum += *reading.usage;
    any = true;
  }
  if (!any) return;
  peak.rss = std::max(peak.rss, sum.rss);
  peak.pss = std::max(peak.pss, sum.pss);
  peak.uss = std::max(peak.uss, sum.uss);
  ++peak.samples;
}

// After the command is reaped: collects the exit events still on the way and reads the
// descendants that outlive it. Returns the processes whose final exit never arrived.
std::size_t settle(BpfCollector& collector, ProcessTree& tree) {
  const auto deadline = Clock::now() + kSettleTimeout;
  std::size_t unaccounted = 0;
  for (;;) {
    drain(collector, tree);
    // A process that is neither reported dead nor alive in a scan has its last exit in flight.
    auto tasks = collector.read_tasks(BpfCollector::TaskPass::full);
    if (tasks) tree.observe_scan(*tasks);
    else spdlog::warn("{}", tasks.error().message());
    unaccounted = tree.unaccounted_members().size();
    if (unaccounted == 0 || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(kSettlePoll);
  }
  // A plain sleep: waiting on the ring buffer would return at once while other hosts' events
  // keep it non-empty.
  std::this_thread::sleep_for(kStragglerPause);
  drain(collector, tree);
  return unaccounted;
}

int exit_code_of(int status, int& signal_number) {
  signal_number = 0;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    signal_number = WTERMSIG(status);
    return exit_status_of_signal(signal_number);
  }
  return kExitFailure;
}

}  // namespace

int run_measure(const MeasureOptions& options) {
  if (options.command.empty())
    return fail(kExitBadInput, "measure: no command given (usage: bpfproc measure [--json] [--interval 100ms] -- CMD [ARGS...])");
  // A missing requirement explains itself better than the load failure it would cause.
  const std::string missing = first_missing(check_requirements(/*load_test=*/false));
  if (!missing.empty()) return fail(kExitFailure, missing);
  // Attached before the command exists, so that nothing it does can be missed.
  auto opened = BpfCollector::open(BpfOptions{.include_kernel_threads = false, .runqueue_latency = true, .bpf_stats = false});
  if (!opened) return fail(kExitFailure, opened.error().message());
  BpfCollector& collector = **opened;
  const ProcFs procfs(options.procfs_root);

  std::vector<std::string> arguments = options.command;
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  // The child waits on release_pipe until the parent knows its key; error_pipe carries its exec
  // failure back.
  auto release_pipe = Pipe::open("release pipe");
  if (!release_pipe) return fail(kExitFailure, std::string("pipe: ") + std::strerror(release_pipe.error().errno_value));
  auto error_pipe = Pipe::open("error pipe");
  if (!error_pipe) return fail(kExitFailure, std::string("pipe: ") + std::strerror(error_pipe.error().errno_value));
  std::fflush(nullptr);  // nothing buffered may be written twice
  const pid_t child = fork();
  if (child < 0) return fail(kExitFailure, std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    release_pipe->write_end.reset();  // or our read would never see the parent give up
    error_pipe->read_end.reset();
    become_command(argv, release_pipe->read_end.get(), error_pipe->write_end.get());
  }
  release_pipe->read_end.reset();
  error_pipe->write_end.reset();

  // The fork tracepoint fired inside fork(), so the child's fork event is already there.
  CommandForkFinder finder(getpid(), child);
  const auto fork_deadline = Clock::now() + kForkEventTimeout;
  while (!finder.root() && Clock::now() < fork_deadline) {
    drain(collector, finder);
    if (!finder.root()) std::this_thread::sleep_for(milliseconds(1));
  }
  if (!finder.root()) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return fail(kExitFailure, "the fork event of the command never arrived (" +
                                  std::to_string(collector.lost_events(LOST_RINGBUF_FULL)) +
                                  " events lost); the command was not run");
  }
  ProcessTree tree(*finder.root());

  int status = 0;
  PeakMemory peak;
  double reaped_wall_seconds = 0;
  const std::uint64_t release_boottime_ns = clock_nanoseconds(CLOCK_BOOTTIME);
  {
    // bpfproc's signal handling while the command runs, like time(1): the terminal's SIGINT and
    // SIGQUIT reach the command directly (same process group), so bpfproc ignores them and
    // reports when the command is done; SIGTERM and SIGHUP, usually meant for the job, are passed
    // on. SIGCHLD only cuts the wait for events short.
    const SignalHandlers signals({{SIGINT, SignalAction::ignore},
                                  {SIGQUIT, SignalAction::ignore},
                                  {SIGTERM, SignalAction::record},
                                  {SIGHUP, SignalAction::record},
                                  {SIGCHLD, SignalAction::interrupt}});
    const auto start = Clock::now();
    const char go = 1;
    if (write(release_pipe->write_end.get(), &go, 1) != 1) {
      kill(child, SIGKILL);
      waitpid(child, nullptr, 0);
      return fail(kExitFailure, std::string("cannot start the command: ") + std::strerror(errno));
    }
    release_pipe->write_end.reset();

    auto next_sample = start;
    for (;;) {
      if (const int number = take_received_signal(); number != 0) kill(child, number);
      const pid_t reaped = waitpid(child, &status, WNOHANG);
      if (reaped == child) break;
      if (reaped < 0 && errno != EINTR) return fail(kExitFailure, std::string("waitpid: ") + std::strerror(errno));
      // Before the exec the child is a copy of bpfproc: its memory is not the command's.
      const auto now = Clock::now();
      if (tree.root_execed() && now >= next_sample) {
        sample_memory(procfs, tree, peak);
        next_sample = now + options.sample_interval;
      }
      auto timeout = kEventDrainInterval;
      if (tree.root_execed())
        timeout = std::clamp(std::chrono::duration_cast<milliseconds>(next_sample - Clock::now()), milliseconds(1),
                             kEventDrainInterval);
      collector.wait_for_events(static_cast<int>(timeout.count()));
      drain(collector, tree);
    }
    reaped_wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }

  int exec_error = 0;
  if (read(error_pipe->read_end.get(), &exec_error, sizeof(exec_error)) == static_cast<ssize_t>(sizeof(exec_error)))
    return fail(exec_error == ENOENT ? kExitNotFound : kExitCannotExecute,
                "cannot run " + options.command.front() + ": " + std::strerror(exec_error));
  error_pipe->read_end.reset();

  MeasureReport report;
  report.command = options.command;
  report.exit_code = exit_code_of(status, report.signal);
  report.exits_unobserved = settle(collector, tree);
  report.totals = tree.totals();
  report.peak_memory = peak;
  report.events_lost = collector.lost_events(LOST_RINGBUF_FULL);
  report.runqueue_waits_lost = collector.lost_events(LOST_TASK_STORAGE);
  // From the release to the root's exit (sched_process_exit, just before it frees its memory),
  // both CLOCK_BOOTTIME: exact, unlike the moment the poll loop noticed the exit.
  report.wall_seconds = tree.root_exited() && tree.root_exit_time_ns() > release_boottime_ns
                            ? static_cast<double>(tree.root_exit_time_ns() - release_boottime_ns) / 1e9
                            : reaped_wall_seconds;

  if (options.json) {
    if (report.events_lost != 0 || report.exits_unobserved != 0)
      std::fprintf(stderr, "bpfproc: warning: %llu events lost, %llu exits unobserved: the figures may be low\n",
                   static_cast<unsigned long long>(report.events_lost),
                   static_cast<unsigned long long>(report.exits_unobserved));
    std::cout << measure_report_json(report).dump(2) << std::endl;
  } else {
    std::cerr << measure_report_text(report) << std::flush;
  }
  return report.exit_code;
}

}  // namespace bpfproc
