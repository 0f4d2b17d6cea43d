#include "bpfproc/accounting/process_gauges.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

// The letters of /proc/PID/stat for each state the kernel reports (task_state_index), in
// process-exporter's five classes.
TEST(ThreadState, MapsTheKernelStatesAsProcShowsThem) {
  EXPECT_EQ(thread_state(0x0), ThreadState::running);       // R
  EXPECT_EQ(thread_state(0x1), ThreadState::sleeping);      // S
  EXPECT_EQ(thread_state(0x101), ThreadState::sleeping);    // S, killable bits do not show
  EXPECT_EQ(thread_state(0x2), ThreadState::waiting);       // D
  EXPECT_EQ(thread_state(0x102), ThreadState::waiting);     // D: TASK_KILLABLE
  EXPECT_EQ(thread_state(0x402), ThreadState::other);       // I: TASK_IDLE
  EXPECT_EQ(thread_state(0x1000), ThreadState::waiting);    // D: an RT lock wait
  EXPECT_EQ(thread_state(0x4), ThreadState::other);         // T
  EXPECT_EQ(thread_state(0x8), ThreadState::other);         // t
  EXPECT_EQ(thread_state(0x80 | 0x20), ThreadState::zombie);  // Z: TASK_DEAD | EXIT_ZOMBIE
  EXPECT_EQ(thread_state(0x80 | 0x10), ThreadState::other);   // X
  EXPECT_EQ(thread_state(0x40), ThreadState::other);        // P
  EXPECT_EQ(state_name(ThreadState::waiting), "waiting");
  EXPECT_EQ(state_name(ThreadState::other), "other");
}

TEST(ProcessGauges, ConvertPagesAndTakeTheWorstRatio) {
  process_gauges raw{};
  raw.virtual_pages = 10;
  raw.file_pages = 1;
  raw.anon_pages = 2;
  raw.shmem_pages = 4;
  raw.fd_limit = 1024;
  raw.open_fds = 256;
  const ProcessGauges gauges = ProcessGauges::from(raw, 4096);
  EXPECT_EQ(gauges.virtual_bytes, 40960u);
  EXPECT_EQ(gauges.resident_bytes, 28672u) << "file + anon + shmem, as /proc/PID/stat's rss";
  EXPECT_EQ(gauges.resident_file_bytes, 4096u);
  EXPECT_EQ(gauges.resident_anon_bytes, 8192u);
  EXPECT_EQ(gauges.resident_shmem_bytes, 16384u);
  EXPECT_DOUBLE_EQ(gauges.fd_ratio(), 0.25);
  EXPECT_EQ(ProcessGauges{}.fd_ratio(), 0.0) << "no limit read yet";

  GaugeTotals totals = GaugeTotals::of(gauges, {1, 2, 0, 0, 0}, ThreadState::sleeping);
  totals += GaugeTotals::of(ProcessGauges{0, 0, 0, 100, 50}, {0, 1, 0, 0, 0}, ThreadState::running);
  EXPECT_EQ(totals.open_fds, 306u);
  EXPECT_EQ(totals.resident_anon_bytes, 8192u);
  EXPECT_DOUBLE_EQ(totals.worst_fd_ratio, 0.5);
  EXPECT_EQ(totals.thread_states, (std::array<std::uint64_t, kThreadStates>{1, 3, 0, 0, 0}));
  EXPECT_EQ(totals.process_states, (std::array<std::uint64_t, kThreadStates>{1, 1, 0, 0, 0}));
}

}  // namespace
}  // namespace bpfproc
