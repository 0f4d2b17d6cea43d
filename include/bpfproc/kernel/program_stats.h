#pragma once
// The kernel's run-time statistics of loaded BPF programs (bpf_prog_info run_cnt/run_time_ns).
// The kernel keeps them only while someone holds BPF_ENABLE_STATS(BPF_STATS_RUN_TIME) open.
#include <cstdint>
#include <string>
#include <vector>

struct bpf_object;

namespace bpfproc {

// One loaded program, as the kernel's run-time statistics see it.
struct ProgramStats {
  std::string name;               // the program's function name, e.g. "handle_switch"
  std::uint64_t runs = 0;         // run_cnt: counted only while statistics are on
  std::uint64_t run_time_ns = 0;  // run_time_ns: total time spent in the program
  std::uint32_t instructions = 0; // as loaded, after the verifier removed dead code
  // Runs the kernel skipped because the program was already running on that CPU (e.g. a wakeup
  // in an interrupt during a wakeup in a system call). Counted even without statistics.
  std::uint64_t recursion_misses = 0;
  std::uint32_t id = 0;  // the kernel's program id, to find the program's links (tests)
};

// Every loaded program of `object`; programs left unloaded (autoload off) are skipped.
std::vector<ProgramStats> read_program_stats(const bpf_object* object);

}  // namespace bpfproc
