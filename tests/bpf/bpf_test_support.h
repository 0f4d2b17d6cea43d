#pragma once
// Shared helpers of the privileged tests: they run as root against the real kernel and the real
// BPF programs. Without root they skip, unless BPFPROC_REQUIRE_BPF=1 (as in CI), where they fail.
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfproc/grouping/config.h"
#include "bpfproc/app/exporter.h"
#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/util/pipe.h"

namespace bpfproc::testing {

inline bool bpf_required() {
  const char* value = std::getenv("BPFPROC_REQUIRE_BPF");
  return value != nullptr && std::string(value) == "1";
}

// Skips (or fails, when required) unless the test can load BPF programs.
#define REQUIRE_BPF_OR_SKIP()                                                               \
  do {                                                                                      \
    if (geteuid() != 0) {                                                                   \
      if (::bpfproc::testing::bpf_required()) FAIL() << "BPF tests need root";              \
      GTEST_SKIP() << "BPF tests need root (set BPFPROC_REQUIRE_BPF=1 to fail instead)";    \
    }                                                                                       \
  } while (0)

inline std::string tool(const std::string& name) { return std::string(BPFPROC_TOOLS_DIR) + "/" + name; }

// A program under a comm of its own (`comm` plus our pid, at most 15 characters), so that a rule
// on that comm cannot match the same program run by anything else on the host.
inline std::string program_as(const std::string& program, const std::string& comm) {
  struct Directory {  // removed when the test binary exits
    std::string path = "/tmp/bpfproc-tests-" + std::to_string(getpid());
    ~Directory() { std::filesystem::remove_all(path); }
  };
  static const Directory scratch;
  const std::string& directory = scratch.path;
  const std::string unique = comm + "-" + std::to_string(getpid());
  const std::string path = directory + "/" + unique.substr(0, 15);
  mkdir(directory.c_str(), 0755);
  unlink(path.c_str());
  if (symlink(program.c_str(), path.c_str()) != 0) throw std::runtime_error("symlink " + path);
  return path;
}

inline std::string tool_as(const std::string& name, const std::string& comm) { return program_as(tool(name), comm); }

// The comm that a process started from tool_as(name, comm) gets.
inline std::string comm_of_tool(const std::string& path) { return path.substr(path.rfind('/') + 1); }

inline Config config_from(const std::string& yaml) {
  auto config = parse_config(yaml, "test");
  if (!config) throw std::runtime_error(config.error().message());
  return std::move(*config);
}

// The BPF programs and the process table, with events drained as the daemon does.
inline std::unique_ptr<ProcessTracker> start_monitor(const std::string& yaml, bool runqueue_latency = true) {
  TrackerOptions options;
  options.config = config_from(yaml);
  options.bpf.runqueue_latency = runqueue_latency;
  auto tracker = ProcessTracker::open(std::move(options));
  if (!tracker) throw std::runtime_error(tracker.error().message());
  (*tracker)->start_draining();
  return std::move(*tracker);
}

inline const GroupTotals* find_group(const std::vector<GroupTotals>& groups, const std::string& name) {
  for (const GroupTotals& group : groups)
    if (group.name == name) return &group;
  return nullptr;
}

inline std::uint64_t group_runtime_ns(const std::vector<GroupTotals>& groups, const std::string& name) {
  const GroupTotals* group = find_group(groups, name);
  return group == nullptr ? 0 : group->counters.runtime_ns;
}

inline double relative_error(double measured, double truth) { return std::fabs(measured - truth) / truth; }

// The figure behind each check, in the log even when it passes.
inline void report(const char* what, double exported_ns, double truth_ns) {
  std::printf("measured: %s: exported %.3f ms, truth %.3f ms, error %+.4f%%\n", what, exported_ns / 1e6,
              truth_ns / 1e6, 100.0 * (exported_ns - truth_ns) / truth_ns);
}

// A tool spawned from the test binary joins its group at its exec: what the child used before
// (after fork, and in exec itself up to sched_process_exec) stays with the spawner's group, by
// design. The kernel's reading there is the task's sum_exec_runtime, which for the running task
// is only as fresh as its last tick or switch, so the split moves by up to a tick (0 to 3.3 ms
// measured here). `burn -s` reports the CPU clock at main(), after the exec and the dynamic
// loader: the group's share of a truth that covers the whole child lies between truth − started
// and truth. Checks that, with a relative tolerance on each side.
// `may_miss_ns`: what the kernel's own delays may keep out of the export by design (exits sent
// with their exit-time values, counted as exit_inexact).
inline void expect_counted_from_exec(double exported_ns, double truth_ns, double started_ns, double tolerance,
                                     double may_miss_ns = 0) {
  std::printf("measured: %.3f ms of the child's CPU came before main() (the exec split lies within)\n", started_ns / 1e6);
  EXPECT_GE(exported_ns, (truth_ns - started_ns - may_miss_ns) * (1 - tolerance))
      << "exported " << exported_ns << " ns, truth " << truth_ns << " of which " << started_ns << " before main(), "
      << may_miss_ns << " allowed to exit_inexact";
  EXPECT_LE(exported_ns, truth_ns * (1 + tolerance)) << "exported " << exported_ns << " ns, truth " << truth_ns;
}

// Groups once `group` counts `exits` exits: a parent can reap a child before the sweep after its
// final switch sends the exit record. Collects every 100 ms, 5 s at most.
inline std::vector<GroupTotals> collect_until_exits(ProcessTracker& monitor, const std::string& group,
                                                    std::uint64_t exits) {
  auto groups = monitor.collect_groups();
  for (int attempt = 0; attempt < 50; ++attempt) {
    const GroupTotals* found = find_group(groups, group);
    if (found != nullptr && found->exits >= exits) break;
    usleep(100'000);
    groups = monitor.collect_groups();
  }
  return groups;
}

inline std::int64_t children_cpu_ns() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000LL +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000LL;
}

// A child process with its stdin and stdout connected to us.
struct Child {
  pid_t pid = -1;
  FileDescriptor to_child;    // its stdin; closing it ends `burn -p`
  FileDescriptor from_child;  // its stdout

  // cpu >= 0 pins the child (and what it execs) to that CPU. posix_spawn (clone with CLONE_VM
  // and CLONE_VFORK), not fork: a forked copy of this binary, above all an ASan build with its
  // shadow memory, spends CPU before its exec that getrusage counts and no workload group has.
  static Child spawn(const std::vector<std::string>& argv, int cpu = -1) {
    auto in_pipe = Pipe::open("child stdin");
    auto out_pipe = Pipe::open("child stdout");
    if (!in_pipe || !out_pipe) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe->read_end.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_pipe->write_end.get(), STDOUT_FILENO);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    // The child inherits the affinity of the thread that spawns it: set it around the spawn.
    cpu_set_t saved;
    const bool pin = cpu >= 0;
    if (pin) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      if (sched_getaffinity(0, sizeof(saved), &saved) != 0 || sched_setaffinity(0, sizeof(set), &set) != 0)
        throw std::runtime_error("sched_setaffinity to CPU " + std::to_string(cpu));
    }
    Child child;
    const int error = posix_spawn(&child.pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (pin) sched_setaffinity(0, sizeof(saved), &saved);
    if (error != 0) throw std::runtime_error("posix_spawn " + argv[0] + ": " + std::strerror(error));
    // Our copies of its ends close with the pipes here.
    child.to_child = std::move(in_pipe->write_end);
    child.from_child = std::move(out_pipe->read_end);
    return child;
  }

  // One line of its stdout, without the newline.
  std::string read_line() const {
    std::string line;
    char byte;
    while (read(from_child.get(), &byte, 1) == 1 && byte != '\n') line += byte;
    return line;
  }

  // Closes its stdin and waits; returns the exit status.
  int finish() {
    to_child.reset();
    int status = 0;
    waitpid(pid, &status, 0);
    from_child.reset();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

}  // namespace bpfproc::testing
