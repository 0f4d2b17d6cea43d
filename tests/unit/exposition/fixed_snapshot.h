#pragma once
// The fixed snapshot behind tests/golden/exposition.prom, shared by the tests of both writers of
// the exposition (build_exposition + TextSerializer, and the direct text writer).
#include "bpfproc/exposition/exposition.h"
#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

// The golden file was written with 4 scrapes served.
inline constexpr ReaderCounts kReader{.scrapes = 4};

inline ExporterSnapshot fixed_snapshot() {
  ExporterSnapshot snapshot;
  GroupTotals nginx;
  nginx.name = "nginx";
  nginx.processes = 3;
  nginx.threads = 5;
  nginx.counters = {12'500'000'000, 10'000'000'000, 2'500'000'000, 4200, 310, 77, 1'250'000'000, 4510,
                    // chars, syscalls and bytes read and written, then minor and major faults
                    7'000'000, 3'000'000, 900, 400, 1 << 20, 5 << 20, 25'000, 12, {}};
  // 3 waits of <= 1.024 µs, 2 of <= 4.096 µs, 1 of <= 4.194 ms, 1 longer than 4.29 s.
  nginx.counters.runqueue_latency.slots[0] = 3;
  nginx.counters.runqueue_latency.slots[2] = 2;
  nginx.counters.runqueue_latency.slots[12] = 1;
  nginx.counters.runqueue_latency.slots.back() = 1;
  nginx.counters.runqueue_latency.sum_ns = 5'004'000'000;
  nginx.exits = 2;
  nginx.has_memory = true;
  nginx.memory = {30 << 20, 12 << 20, 8 << 20, 3 << 20, 1 << 20, 9 << 20, 0, 0};
  nginx.oldest_start_ns = 1'000'000'000;
  nginx.gauges.virtual_bytes = 600 << 20;
  nginx.gauges.resident_bytes = 28 << 20;
  nginx.gauges.resident_anon_bytes = 20 << 20;
  nginx.gauges.resident_file_bytes = 7 << 20;
  nginx.gauges.resident_shmem_bytes = 1 << 20;
  nginx.gauges.open_fds = 41;
  nginx.gauges.worst_fd_ratio = 0.0390625;  // 40 of 1024
  nginx.gauges.thread_states = {1, 4, 0, 0, 0};
  nginx.gauges.process_states = {0, 3, 0, 0, 0};
  // With --threads: the master's and workers' threads by name (sampled user and system ticks).
  ThreadNameTotals main_threads{"nginx", 3, {}};
  main_threads.counters.runtime_ns = 9'000'000'000;
  main_threads.counters.user_ns = 6'000'000'000;
  main_threads.counters.system_ns = 2'000'000'000;
  main_threads.counters.voluntary_switches = 4000;
  main_threads.counters.involuntary_switches = 300;
  main_threads.counters.read_bytes = 1 << 20;
  main_threads.counters.minor_faults = 20'000;
  ThreadNameTotals cache_threads{"cache loader", 2, {}};
  cache_threads.counters.runtime_ns = 3'500'000'000;
  cache_threads.counters.system_ns = 1'000'000'000;  // no user ticks sampled
  cache_threads.counters.voluntary_switches = 200;
  cache_threads.counters.write_bytes = 5 << 20;
  nginx.thread_names = {cache_threads, main_threads};
  nginx.wchans = {{"do_epoll_wait", 4}, {"futex_wait_queue", 1}};
  // With --process.top-n: the master, and a worker without a memory reading yet.
  nginx.top_processes = {{4242, "nginx", 7'000'000'000, 12 << 20, true, 4 << 20, 6 << 20},
                         {4250, "nginx", 2'500'000'000, 8 << 20, false, 0, 0}};
  GroupTotals gone;  // every member exited: counters stay, gauges go to zero, no memory
  gone.name = "make";
  gone.counters = {2'000'000'000, 1'500'000'000, 500'000'000, 10, 2, 1, 3'000'000, 12, {}};
  gone.exits = 40;
  // A group of the catalogue (`- use: catalogue`): its subgroup label follows group on every series.
  GroupTotals postgres;
  postgres.name = "db";
  postgres.subgroup = "postgres";
  postgres.processes = 1;
  postgres.threads = 1;
  postgres.counters = {3'000'000'000, 2'000'000'000, 1'000'000'000, 900, 40, 5, 20'000'000, 945, {}};
  postgres.oldest_start_ns = 2'000'000'000;
  postgres.gauges.resident_bytes = 40 << 20;
  postgres.gauges.resident_anon_bytes = 8 << 20;
  postgres.gauges.resident_file_bytes = 12 << 20;
  postgres.gauges.resident_shmem_bytes = 20 << 20;
  postgres.gauges.virtual_bytes = 200 << 20;
  postgres.gauges.thread_states = {0, 1, 0, 0, 0};
  postgres.gauges.process_states = {0, 1, 0, 0, 0};
  ThreadNameTotals checkpointer{"postgres", 1, {}};
  checkpointer.counters.runtime_ns = 3'000'000'000;
  checkpointer.counters.user_ns = 2'000'000'000;
  checkpointer.counters.system_ns = 1'000'000'000;
  postgres.thread_names = {checkpointer};
  postgres.wchans = {{"do_epoll_wait", 1}};
  postgres.top_processes = {{5432, "postgres", 3'000'000'000, 40 << 20, false, 0, 0}};
  snapshot.groups = {postgres, gone, nginx};  // by name, then subgroup
  snapshot.memory_enabled = true;
  snapshot.memory_refresher = MemoryRefresherStatus{12.5, 4.25, 310, 0.0125, {{"budget", 2}, {"gone", 3}, {"min_rss", 0}}};
  snapshot.runqueue_latency_enabled = true;
  snapshot.boot_time_unix_seconds = 1'790'000'000;
  snapshot.self = SelfMetrics{1.25, 24 << 20, 300 << 20, 12, 1024, 1'790'000'100, 4};
  snapshot.build = {"0.1.0", "abcdef123456", "1.1.2", "6.18.0"};
  CollectorStatus tasks;
  tasks.name = "tasks";
  tasks.bucket_counts = {1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  tasks.count = 4;
  tasks.sum_seconds = 0.0125;
  tasks.cpu_seconds = 0.011;
  tasks.success = true;
  tasks.last_run_unix_seconds = 1'790'000'200;
  CollectorStatus memory;
  memory.name = "memory";
  memory.bucket_counts = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  memory.count = 1;
  memory.sum_seconds = 0.02;
  memory.errors = 1;
  memory.last_run_unix_seconds = 1'790'000'150;
  snapshot.collectors = {tasks, memory};
  snapshot.events_lost = {{"ringbuf_full", 0}, {"task_storage", 0}, {"exit_unobserved", 3}};
  snapshot.bpf_programs = {{"handle_switch", 1000, 45'000}, {"handle_wakeup", 400, 9'000}};
  snapshot.tracked_processes = 120;
  snapshot.processes_dropped = 4;
  snapshot.groups_retired = 3;
  snapshot.labels_truncated = 1;
  snapshot.series_dropped = 38;
  snapshot.group_series = 57;
  snapshot.series_limit = 20000;
  snapshot.cpu_cores = 2;
  snapshot.config_last_reload_successful = false;
  snapshot.config_last_reload_success_unix_seconds = 1764493200.25;
  return snapshot;
}

}  // namespace bpfproc
