// ProcessAccounts keeps each label's sums as processes change (label_totals). Whatever happens to
// the processes, those sums must equal the sums taken afresh from every process's usage.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "bpfproc/accounting/process_accounts.h"
#include "lifecycle_events.h"

namespace bpfproc {
namespace {

task_record leader(const ProcessKey& key, std::uint64_t runtime_ns, std::uint64_t switches) {
  task_record record{};
  record.tid = record.tgid = key.pid;
  record.start_ns = record.process_start_ns = key.start_ns;
  record.flags = TASK_RECORD_LEADER;
  record.counters.runtime_ns = runtime_ns;
  record.counters.user_ns = runtime_ns / 3;
  record.counters.system_ns = runtime_ns / 2;
  record.counters.voluntary_switches = switches;
  record.runqueue_latency.slots[switches % RUNQUEUE_LATENCY_SLOTS] = switches;
  record.counters.read_bytes = runtime_ns * 3;
  record.counters.minor_faults = switches * 7;
  return record;
}

// An iterator record that also carries the process's gauges and a state.
task_record reading(const ProcessKey& key, std::uint64_t runtime_ns, std::mt19937_64& random) {
  task_record record = leader(key, runtime_ns, runtime_ns % 50);
  record.flags |= TASK_RECORD_GAUGES;
  record.gauges.virtual_pages = random() % 10'000;
  record.gauges.anon_pages = static_cast<std::uint32_t>(random() % 1'000);
  record.gauges.file_pages = static_cast<std::uint32_t>(random() % 1'000);
  record.gauges.shmem_pages = static_cast<std::uint32_t>(random() % 100);
  record.gauges.swap_pages = static_cast<std::uint32_t>(random() % 100);
  record.gauges.open_fds = static_cast<std::uint32_t>(random() % 64);
  record.gauges.fd_limit = 1024;
  constexpr std::uint32_t kStates[] = {0x0, 0x1, 0x2, 0x402, 0x20};  // R, S, D, I, Z
  record.state = kStates[random() % 5];
  return record;
}

struct Expected {
  Counters unsettled;
  std::uint64_t processes = 0, threads = 0, exits = 0, with_memory = 0, oldest = 0;
  MemoryUsage memory;
  GaugeTotals gauges;
};

// The sums as a report used to take them: every labelled process's usage, one by one.
std::map<std::uint32_t, Expected> afresh(ProcessAccounts& accounts, const std::map<ProcessKey, std::uint32_t>& labels) {
  std::map<std::uint32_t, Expected> sums;
  for (const auto& [key, label] : labels) {
    const std::optional<ProcessUsage> usage = accounts.usage(key);
    if (!usage || label == ProcessAccounts::kNoLabel) continue;
    Expected& sum = sums[label];
    sum.unsettled += usage->unsettled;
    if (usage->exited) {
      ++sum.exits;
      continue;
    }
    ++sum.processes;
    sum.threads += usage->live_threads;
    sum.gauges += GaugeTotals::of(usage->gauges, usage->thread_states, usage->state);
    if (sum.oldest == 0 || key.start_ns < sum.oldest) sum.oldest = key.start_ns;
    if (usage->memory) {
      sum.memory += *usage->memory;
      ++sum.with_memory;
    }
  }
  return sums;
}

TEST(LabelTotals, EqualTheSumsTakenAfreshThroughRandomChanges) {
  std::mt19937_64 random(7);
  ProcessAccounts accounts;
  std::map<ProcessKey, std::uint32_t> labels;  // every key ever added, with its label
  std::map<ProcessKey, std::uint64_t> runtime;
  std::map<ProcessKey, bool> exited;
  std::uint32_t next_pid = 100;
  std::uint64_t scan = 0;

  for (int step = 0; step < 3000; ++step) {
    if (step % 20 == 0) {
      if (scan > 0) (void)accounts.end_scan();
      accounts.begin_scan(++scan, step % 200 == 0 ? ProcessAccounts::Pass::full : ProcessAccounts::Pass::changes);
    }
    const auto pick = [&]() -> std::optional<ProcessKey> {
      if (labels.empty()) return std::nullopt;
      auto it = labels.begin();
      std::advance(it, static_cast<long>(random() % labels.size()));
      return it->first;
    };
    switch (random() % 7) {
      case 0: {  // a new process, read by the iterator
        const ProcessKey key{next_pid++, 1'000 + random() % 1'000'000};
        labels[key] = ProcessAccounts::kNoLabel;
        runtime[key] = random() % 1'000;
        task_record first = reading(key, runtime[key], random);
        first.state &= ~0x20u;  // a process first seen as a zombie is not added (observe_task)
        (void)accounts.observe_task(first);
        break;
      }
      case 1:  // a process runs
        if (auto key = pick(); key && !exited[*key]) {
          runtime[*key] += random() % 5'000;
          (void)accounts.observe_task(reading(*key, runtime[*key], random));
        }
        break;
      case 2:  // its group is decided, or changes
        if (auto key = pick()) {
          const std::uint32_t label = random() % 4 == 0 ? ProcessAccounts::kNoLabel : static_cast<std::uint32_t>(random() % 3);
          labels[*key] = label;
          accounts.set_label(*key, label);
        }
        break;
      case 3:  // memory is read
        if (auto key = pick()) {
          MemoryUsage memory;
          memory.rss = random() % 100'000;
          memory.pss = memory.rss / 2;
          accounts.set_memory(*key, memory);
        }
        break;
      case 4:  // what it used so far is handed on (an exec)
        if (auto key = pick()) (void)accounts.settle(*key);
        break;
      case 5:  // it exits
        if (auto key = pick(); key && !exited[*key]) {
          runtime[*key] += random() % 100;
          (void)accounts.on_exit(exit_of(leader(*key, runtime[*key], 1), /*last_thread=*/true));
          exited[*key] = true;
        }
        break;
      case 6:  // an exited process is forgotten
        if (auto key = pick(); key && exited[*key]) {
          accounts.forget(*key);
          labels.erase(*key);
        }
        break;
    }
    if (step % 7 != 0) continue;
    const std::vector<ProcessAccounts::LabelTotals>& kept = accounts.label_totals();
    const std::map<std::uint32_t, Expected> expected = afresh(accounts, labels);
    for (std::uint32_t label = 0; label < 3; ++label) {
      const Expected empty;
      const auto found = expected.find(label);
      const Expected& want = found == expected.end() ? empty : found->second;
      const ProcessAccounts::LabelTotals none;
      const ProcessAccounts::LabelTotals& have = label < kept.size() ? kept[label] : none;
      ASSERT_EQ(have.unsettled, want.unsettled) << "step " << step << ", label " << label;
      ASSERT_EQ(have.processes, want.processes) << "step " << step << ", label " << label;
      ASSERT_EQ(have.threads, want.threads) << "step " << step;
      ASSERT_EQ(have.exits, want.exits) << "step " << step;
      ASSERT_EQ(have.with_memory, want.with_memory) << "step " << step;
      ASSERT_EQ(have.memory, want.memory) << "step " << step;
      ASSERT_EQ(have.oldest_start_ns, want.oldest) << "step " << step << ", label " << label;
      ASSERT_EQ(have.gauges.virtual_bytes, want.gauges.virtual_bytes) << "step " << step;
      ASSERT_EQ(have.gauges.resident_bytes, want.gauges.resident_bytes) << "step " << step;
      ASSERT_EQ(have.gauges.resident_file_bytes, want.gauges.resident_file_bytes) << "step " << step;
      ASSERT_EQ(have.gauges.resident_anon_bytes, want.gauges.resident_anon_bytes) << "step " << step;
      ASSERT_EQ(have.gauges.resident_shmem_bytes, want.gauges.resident_shmem_bytes) << "step " << step;
      ASSERT_EQ(have.gauges.swap_bytes, want.gauges.swap_bytes) << "step " << step;
      ASSERT_EQ(have.gauges.open_fds, want.gauges.open_fds) << "step " << step;
      ASSERT_EQ(have.gauges.worst_fd_ratio, want.gauges.worst_fd_ratio) << "step " << step << ", label " << label;
      ASSERT_EQ(have.gauges.thread_states, want.gauges.thread_states) << "step " << step;
      ASSERT_EQ(have.gauges.process_states, want.gauges.process_states) << "step " << step;
    }
  }
}

// Only full scans can tell a process is gone, and only when two in a row missed it; a process
// that a changes scan did not list simply did not change.
TEST(ProcessAccountsPasses, ChangesScansNeverTakeAProcessAsGone) {
  ProcessAccounts accounts;
  const ProcessKey quiet{10, 1'000}, busy{11, 2'000};
  accounts.begin_scan(1, ProcessAccounts::Pass::full);
  (void)accounts.observe_task(leader(quiet, 5, 1));
  (void)accounts.observe_task(leader(busy, 5, 1));
  EXPECT_TRUE(accounts.end_scan().vanished.empty());
  accounts.begin_scan(2, ProcessAccounts::Pass::full);
  (void)accounts.observe_task(leader(quiet, 5, 1));
  (void)accounts.observe_task(leader(busy, 5, 1));
  EXPECT_TRUE(accounts.end_scan().vanished.empty());
  for (std::uint64_t scan = 3; scan < 10; ++scan) {
    accounts.begin_scan(scan, ProcessAccounts::Pass::changes);
    (void)accounts.observe_task(leader(busy, 5 + scan, 1));
    EXPECT_TRUE(accounts.end_scan().vanished.empty()) << "scan " << scan;
  }
  EXPECT_EQ(accounts.usage(quiet)->used.runtime_ns, 5u) << "kept as last read";
  EXPECT_FALSE(accounts.usage(quiet)->exited);

  // The quiet one is gone now: the first full scan without it is not enough...
  accounts.begin_scan(10, ProcessAccounts::Pass::full);
  (void)accounts.observe_task(leader(busy, 20, 1));
  EXPECT_TRUE(accounts.end_scan().vanished.empty());
  // ...the second in a row is.
  accounts.begin_scan(11, ProcessAccounts::Pass::full);
  (void)accounts.observe_task(leader(busy, 21, 1));
  const ProcessAccounts::ScanOutcome outcome = accounts.end_scan();
  ASSERT_EQ(outcome.vanished.size(), 1u);
  EXPECT_EQ(outcome.vanished[0], quiet);
  EXPECT_EQ(accounts.unobserved_exits(), 1u);
}

// An exited process is finished (handed to the caller to forget) after the grace period, in
// changes scans too, without any full scan.
TEST(ProcessAccountsPasses, ExitedProcessesFinishInChangesScans) {
  ProcessAccounts accounts;
  const ProcessKey key{10, 1'000};
  accounts.begin_scan(1, ProcessAccounts::Pass::full);
  (void)accounts.observe_task(leader(key, 5, 1));
  (void)accounts.end_scan();
  EXPECT_TRUE(accounts.on_exit(exit_of(leader(key, 9, 2), true)));
  std::vector<ProcessKey> finished;
  for (std::uint64_t scan = 2; scan < 6 && finished.empty(); ++scan) {
    accounts.begin_scan(scan, ProcessAccounts::Pass::changes);
    finished = accounts.end_scan().finished;
  }
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0], key);
  accounts.forget(key);
  accounts.begin_scan(7, ProcessAccounts::Pass::changes);
  EXPECT_TRUE(accounts.end_scan().finished.empty()) << "a forgotten process is not listed again";
}

}  // namespace
}  // namespace bpfproc
