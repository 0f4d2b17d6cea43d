#pragma once
// What a process holds now (memory, open files, its threads' states), as counters.h is what it
// used. Gauges go up and down, so a group sums those of its live processes only.
#include <array>
#include <cstdint>
#include <string_view>

#include <linux/types.h>

#include "bpf/task_record.h"

namespace bpfproc {

// A thread's state in process-exporter's five classes of /proc/PID/stat's state letter:
// R running, S sleeping, D waiting, Z zombie, and everything else (stopped, traced, idle, dead).
enum class ThreadState : std::uint8_t { running, sleeping, waiting, zombie, other };
inline constexpr std::size_t kThreadStates = 5;
using StateCounts = std::array<std::uint32_t, kThreadStates>;

// From a task_record's state (__state | exit_state), as the kernel picks the letter /proc shows.
ThreadState thread_state(std::uint32_t raw);
std::string_view state_name(ThreadState state);  // "running", "sleeping", ...

struct ProcessGauges {
  std::uint64_t virtual_bytes = 0;   // mapped address space (/proc/PID/stat vsize)
  std::uint64_t resident_bytes = 0;  // resident pages of the mm counters (/proc/PID/stat rss): the three below
  std::uint64_t swap_bytes = 0;      // swapped out (/proc/PID/status VmSwap)
  std::uint64_t fd_limit = 0;        // RLIMIT_NOFILE soft limit
  std::uint32_t open_fds = 0;
  // The parts of resident_bytes, as /proc/PID/status RssFile, RssAnon, RssShmem but without their
  // per-CPU parts (bpf/task_record.h).
  std::uint64_t resident_file_bytes = 0;
  std::uint64_t resident_anon_bytes = 0;
  std::uint64_t resident_shmem_bytes = 0;

  static ProcessGauges from(const process_gauges& raw, std::uint64_t page_size) {
    const std::uint64_t file = raw.file_pages * page_size;
    const std::uint64_t anon = raw.anon_pages * page_size;
    const std::uint64_t shmem = raw.shmem_pages * page_size;
    return {raw.virtual_pages * page_size, file + anon + shmem, raw.swap_pages * page_size, raw.fd_limit, raw.open_fds,
            file, anon, shmem};
  }
  // Open fds over the limit: how close the process is to "too many open files".
  double fd_ratio() const { return fd_limit == 0 ? 0.0 : static_cast<double>(open_fds) / static_cast<double>(fd_limit); }
  bool operator==(const ProcessGauges&) const = default;
};

// The gauges of a set of live processes: a label's, a group's.
struct GaugeTotals {
  std::uint64_t virtual_bytes = 0;
  std::uint64_t resident_bytes = 0;
  std::uint64_t swap_bytes = 0;
  std::uint64_t open_fds = 0;
  double worst_fd_ratio = 0;  // the highest of its processes
  std::array<std::uint64_t, kThreadStates> thread_states{};
  std::array<std::uint64_t, kThreadStates> process_states{};  // by each one's leader's state
  std::uint64_t resident_file_bytes = 0;
  std::uint64_t resident_anon_bytes = 0;
  std::uint64_t resident_shmem_bytes = 0;

  // One live process's.
  static GaugeTotals of(const ProcessGauges& gauges, const StateCounts& thread_states, ThreadState state) {
    GaugeTotals totals{gauges.virtual_bytes,       gauges.resident_bytes,       gauges.swap_bytes,
                       gauges.open_fds,            gauges.fd_ratio(),           {},
                       {},                         gauges.resident_file_bytes, gauges.resident_anon_bytes,
                       gauges.resident_shmem_bytes};
    for (std::size_t index = 0; index < kThreadStates; ++index) totals.thread_states[index] = thread_states[index];
    totals.process_states[static_cast<std::size_t>(state)] = 1;
    return totals;
  }

  GaugeTotals& operator+=(const GaugeTotals& other) {
    virtual_bytes += other.virtual_bytes;
    resident_bytes += other.resident_bytes;
    resident_file_bytes += other.resident_file_bytes;
    resident_anon_bytes += other.resident_anon_bytes;
    resident_shmem_bytes += other.resident_shmem_bytes;
    swap_bytes += other.swap_bytes;
    open_fds += other.open_fds;
    worst_fd_ratio = worst_fd_ratio > other.worst_fd_ratio ? worst_fd_ratio : other.worst_fd_ratio;
    for (std::size_t state = 0; state < kThreadStates; ++state) {
      thread_states[state] += other.thread_states[state];
      process_states[state] += other.process_states[state];
    }
    return *this;
  }
};

}  // namespace bpfproc
