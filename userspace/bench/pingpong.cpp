#include "bpfproc/bench/pingpong.h"

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "bpfproc/util/child_process.h"
#include "bpfproc/util/clock.h"
#include "bpfproc/util/interruptible_wait.h"
#include "bpfproc/util/pipe.h"

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
  auto ping = Pipe::open("ping-pong");
  auto pong = Pipe::open("ping-pong");
  auto result = Pipe::open("ping-pong");
  for (const Result<Pipe>* pipe : {&ping, &pong, &result})
    if (!*pipe) return Error{"cannot create pipes", "ping-pong", pipe->error().errno_value};

  // The echo side: returns every byte until the driver closes its end.
  auto echo = ChildProcess::fork_function([&] {
    ping->write_end.reset();
    pong->read_end.reset();
    result->read_end.reset();
    result->write_end.reset();
    if (!pin_to(cpu)) return kPinFailed;
    const int from_driver = ping->read_end.get();
    const int to_driver = pong->write_end.get();
    while (read_byte(from_driver))
      if (!write_byte(to_driver)) return kPipeFailed;
    return 0;
  });
  if (!echo) return echo.error();

  // The driver: warms up, then times `round_trips` and sends the elapsed nanoseconds back.
  auto driver = ChildProcess::fork_function([&] {
    ping->read_end.reset();
    pong->write_end.reset();
    result->read_end.reset();
    if (!pin_to(cpu)) return kPinFailed;
    const int to_echo = ping->write_end.get();  // not looked up in the Results on every trip
    const int from_echo = pong->read_end.get();
    for (std::uint64_t trip = 0; trip < kWarmUpRoundTrips; ++trip)
      if (!write_byte(to_echo) || !read_byte(from_echo)) return kPipeFailed;
    const std::uint64_t started = clock_nanoseconds(CLOCK_MONOTONIC);
    for (std::uint64_t trip = 0; trip < round_trips; ++trip)
      if (!write_byte(to_echo) || !read_byte(from_echo)) return kPipeFailed;
    const std::uint64_t elapsed = clock_nanoseconds(CLOCK_MONOTONIC) - started;
    return write(result->write_end.get(), &elapsed, sizeof(elapsed)) == sizeof(elapsed) ? 0 : kPipeFailed;
  });
  if (!driver) return driver.error();
  // Only the children hold the pipes now: the echo sees end of file when the driver exits.
  *ping = Pipe{};
  *pong = Pipe{};
  result->write_end.reset();

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
  if (read(result->read_end.get(), &run.elapsed_ns, sizeof(run.elapsed_ns)) != sizeof(run.elapsed_ns))
    return Error{"no timing from the driver", "ping-pong"};
  for (const ChildExit* side : {&*driver_exit, &*echo_exit})
    run.context_switches += static_cast<std::uint64_t>(side->usage.ru_nvcsw + side->usage.ru_nivcsw);
  return run;
}

}  // namespace bpfproc
