#include "bpfproc/accounting/process_gauges.h"

#include <bit>

namespace bpfproc {
namespace {

// include/linux/sched.h; #defines, so not in BTF.
constexpr std::uint32_t kTaskReport = 0x7f;           // the states /proc reports, R to P
constexpr std::uint32_t kTaskIdle = 0x402;            // TASK_UNINTERRUPTIBLE | TASK_NOLOAD: "I"
constexpr std::uint32_t kTaskRtlockWait = 0x1000;     // a sleeping lock in RT kernels: "D"

}  // namespace

ThreadState thread_state(std::uint32_t raw) {
  // As task_state_index(): the highest reported bit picks the letter, idle is its own letter.
  if ((raw & kTaskIdle) == kTaskIdle) return ThreadState::other;
  std::uint32_t reported = raw & kTaskReport;
  if (raw == kTaskRtlockWait) reported = 0x2;
  switch (std::bit_width(reported)) {
    case 0: return ThreadState::running;   // R
    case 1: return ThreadState::sleeping;  // S
    case 2: return ThreadState::waiting;   // D
    case 6: return ThreadState::zombie;    // Z
    default: return ThreadState::other;    // T, t, X, P
  }
}

std::string_view state_name(ThreadState state) {
  switch (state) {
    case ThreadState::running: return "running";
    case ThreadState::sleeping: return "sleeping";
    case ThreadState::waiting: return "waiting";
    case ThreadState::zombie: return "zombie";
    case ThreadState::other: break;
  }
  return "other";
}

}  // namespace bpfproc
