#pragma once
// `bpfproc bench`: what bpfproc costs this host, measured before deploying it. It measures the
// cost per run of each BPF program, the context-switch overhead with run-queue latency on and
// off against an empty program (the floor), the cost of a collection against the number of
// processes, and how much of the CPU of short-lived processes is captured. It prints a table, or
// one JSON object; with --check it fails when a documented threshold is missed.
#include <cstdint>
#include <string>
#include <vector>

namespace bpfproc {

struct BenchOptions {
  bool json = false;
  bool check = false;
  int cpu = -1;  // ping-pong CPU; -1: the last CPU this process may run on
  // Many short pairs rather than a few long ones: on a VM the cost of a switch jumps between
  // levels (seen here: runs of 1.5 and of 2.2 µs per switch, for the same programs), so what
  // makes the median of per-pair ratios stable is the number of pairs. One run of 60,000 round
  // trips takes 0.15 to 0.25 s; 15 pairs × 3 program sets take about 20 s.
  std::uint64_t round_trips = 60'000;
  unsigned pairs = 15;
  std::vector<std::uint64_t> processes{1'000, 5'000, 10'000};
  unsigned scrapes = 10;
  double churn_seconds = 3;
  std::string tools_dir;  // burn, churn, swarm; empty: "tools" next to the bpfproc binary
};

// Exit codes: 0 done (and, with --check, every threshold met); 1 a threshold missed, a missing
// requirement or a failure; 2 bad options; 128 + signal when interrupted.
int run_bench(const BenchOptions& options);

}  // namespace bpfproc
