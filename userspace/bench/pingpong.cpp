#include "bpfproc/bench/pingpong.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "bpfproc/util/child_process.h"
#include "bpfproc/util/clock.h"
#include "bpfproc/util/interruptible_wait.h"

namespace bpfproc {
namespace {

// Untimed round trips first, so that both processes are running, on the CPU, with warm caches
// and (for the run-queue latency program) their task storage allocated, before the clock starts.
constexpr std::uint64_t kWarmUpRoundTrips = 2000;

// Exit statuses of the ping-pong processes, so the parent can say what went wrong.
constexpr int kPinFailed = 3;
constexpr int kPipeFailed = 4;

bool pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof(set), &set) == 0;
}

bool write_byte(int fd) {
  const char byte = 0;
  return write(fd, &byte, 1) == 1;
}

bool read_byte(int fd) {
  char byte;
  return read(fd, &byte, 1) == 1;
}

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) == 0) {
      read_end = ends[0];
      write_end = ends[1];
    }
  }
  ~Pipe() { close_both(); }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool ok() const { return read_end >= 0; }
  void close_both() {
    if (read_end >= 0) close(read_end);
    if (write_end >= 0) close(write_end);
    read_end = write_end = -1;
  }
};

}  // namespace

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  return cpus;
}

Result<PingPongRun> run_pingpong(int cpu, std::uint64_t round_trips) {
  Pipe ping, pong, result;
  if (!ping.ok() || !pong.ok() || !result.ok()) return Error{"cannot create pipes", "ping-pong", errno};

  // The echo side: returns every byte until the driver closes its end.
  auto echo = ChildProcess::fork_function([&] {
    close(ping.write_end);
    close(pong.read_end);
    close(result.read_end);
    close(result.write_end);
    if (!pin_to(cpu)) return kPinFailed;
    while (read_byte(ping.read_end))
      if (!write_byte(pong.write_end)) return kPipeFailed;
    return 0;
  });
  if (!echo) return echo.error();

  // The driver: warms up, then times `round_trips` and sends the elapsed nanoseconds back.
  auto driver = ChildProcess::fork_function([&] {
    close(ping.read_end);
    close(pong.write_end);
    close(result.read_end);
    if (!pin_to(cpu)) return kPinFailed;
    for (std::uint64_t trip = 0; trip < kWarmUpRoundTrips; ++trip)
      if (!write_byte(ping.write_end) || !read_byte(pong.read_end)) return kPipeFailed;
    const std::uint64_t started = clock_nanoseconds(CLOCK_MONOTONIC);
    for (std::uint64_t trip = 0; trip < round_trips; ++trip)
      if (!write_byte(ping.write_end) || !read_byte(pong.read_end)) return kPipeFailed;
    const std::uint64_t elapsed = clock_nanoseconds(CLOCK_MONOTONIC) - started;
    return write(result.write_end, &elapsed, sizeof(elapsed)) == sizeof(elapsed) ? 0 : kPipeFailed;
  });
  if (!driver) return driver.error();
  // Only the children hold the pipes now: the echo sees end of file when the driver exits.
  ping.close_both();
  pong.close_both();
  close(result.write_end);
  result.write_end = -1;

  // Generous: a run is sized to take well under a second, even on a busy host.
  constexpr std::chrono::seconds kRunTimeout{120};
  auto driver_exit = driver->wait(kRunTimeout);
  if (!driver_exit) return driver_exit.error();
  auto echo_exit = echo->wait(std::chrono::seconds(10));
  if (!echo_exit) return echo_exit.error();
  for (const ChildExit* side : {&*driver_exit, &*echo_exit}) {
    if (!WIFEXITED(side->status) || WEXITSTATUS(side->status) != 0) {
      const bool pin = WIFEXITED(side->status) && WEXITSTATUS(side->status) == kPinFailed;
      return Error{pin ? "cannot pin to CPU " + std::to_string(cpu) : "a ping-pong process failed", "ping-pong"};
    }
  }

  PingPongRun run;
  run.round_trips = round_trips;
  if (read(result.read_end, &run.elapsed_ns, sizeof(run.elapsed_ns)) != sizeof(run.elapsed_ns))
    return Error{"no timing from the driver", "ping-pong"};
  for (const ChildExit* side : {&*driver_exit, &*echo_exit})
    run.context_switches += static_cast<std::uint64_t>(side->usage.ru_nvcsw + side->usage.ru_nivcsw);
  return run;
}

}  // namespace bpfproc
