// Fuzzes what userspace does with the kernel's records: lifecycle ring-buffer records of any size
// and content (deliver_event_record), and task-iterator records with any field values, fed in
// any order to the process table the daemon feeds them to (accounting, attribution, ledger).
//
// The input is a list of operations, each a byte choosing it and then its bytes:
//   ring buffer record (length, then bytes), iterator record (a task_record's bytes, zero-padded),
//   end of scan (answered with identities and user names from the input), a report of the groups.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "bpfproc/grouping/process_table.h"
#include "bpfproc/kernel/event_record.h"

namespace {

// Rules that use what records carry: comm, exe, argv captures, threads and per-process names.
constexpr const char* kConfig = R"(process_names:
  - name: "{{.Comm}}-{{.Matches.queue}}"
    cmdline: ['--queue=(?P<queue>\w+)']
    threads: true
  - name: "{{.ExeBase}}:{{.StartTime}}"
    exe: [python3, /usr/bin/perl]
  - name: "{{.Comm}}"
    comm: [bash, sh]
  - name: "{{.PID}} {{.Cwd}} {{.Cgroups}} {{.Username}}"
    cmdline: ['^x']
)";

const bpfproc::Config& config() {
  static const bpfproc::Config parsed = [] {
    auto loaded = bpfproc::parse_config(kConfig, "fuzz.yml");
    if (!loaded) __builtin_trap();
    return std::move(*loaded);
  }();
  return parsed;
}

// A task_record from the input: its bytes as the iterator's read() puts them in the buffer.
task_record task_record_from(FuzzedDataProvider& input) {
  task_record record{};
  const std::vector<std::uint8_t> bytes = input.ConsumeBytes<std::uint8_t>(sizeof(record));
  if (!bytes.empty()) std::memcpy(&record, bytes.data(), bytes.size());
  return record;
}

bpfproc::IdentityReplies answer(const bpfproc::IdentityRequests& requests, FuzzedDataProvider& input) {
  bpfproc::IdentityReplies replies;
  for (const bpfproc::ProcessKey& key : requests.processes) {
    if (input.ConsumeBool()) {  // gone before /proc was read
      replies.identities.emplace_back(key, std::nullopt);
      continue;
    }
    bpfproc::ProcessIdentity identity;
    identity.pid = static_cast<int>(key.pid);
    identity.start_time_ns = key.start_ns;
    identity.comm = input.ConsumeRandomLengthString(16);
    identity.exe_path = input.ConsumeRandomLengthString(32);
    identity.argv = {input.ConsumeRandomLengthString(32), input.ConsumeRandomLengthString(32)};
    identity.uid = input.ConsumeIntegral<std::uint32_t>();
    identity.kernel_thread = input.ConsumeBool();
    identity.cwd = input.ConsumeRandomLengthString(32);
    replies.identities.emplace_back(key, std::move(identity));
  }
  for (const std::uint32_t uid : requests.uids) replies.user_names.emplace_back(uid, input.ConsumeRandomLengthString(16));
  return replies;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  bpfproc::GroupLimits limits;
  limits.retention_ns = 1'000'000'000;
  limits.label_max_length = 40;
  limits.process_top_n = 2;
  bpfproc::ProcessTable table(config(), limits, 1'795'309'369);
  table.count_wchans([](std::uint64_t address) { return address % 3 == 0 ? std::string() : std::to_string(address % 7); });

  std::uint64_t scan_time_ns = 0;
  bool scanning = false;
  while (input.remaining_bytes() > 0) {
    switch (input.ConsumeIntegralInRange<int>(0, 4)) {
      case 0: {  // a ring buffer record, as libbpf's callback gets it: any size
        const std::size_t length = input.ConsumeIntegralInRange<std::size_t>(0, 2 * sizeof(exec_event));
        const std::string record = input.ConsumeBytesAsString(length);
        (void)bpfproc::deliver_event_record(record, table);
        break;
      }
      case 1: {  // an iterator record
        if (!scanning) {
          scan_time_ns += input.ConsumeIntegralInRange<std::uint64_t>(0, 2'000'000'000);
          table.begin_scan(scan_time_ns, input.ConsumeBool() ? bpfproc::ProcessAccounts::Pass::full
                                                             : bpfproc::ProcessAccounts::Pass::changes);
          scanning = true;
        }
        table.observe_task(task_record_from(input));
        break;
      }
      case 2:  // end of the scan
        if (scanning) {
          const bpfproc::IdentityRequests requests = table.end_scan();
          table.apply_identities(answer(requests, input));
          scanning = false;
        }
        break;
      case 3:  // a report
        if (!scanning) (void)table.collect_groups();
        break;
      case 4:  // a memory reading of a grouped process
        if (!scanning) {
          const auto candidates = table.memory_candidates();
          if (!candidates.empty()) {
            bpfproc::MemoryUsage memory;
            memory.rss = input.ConsumeIntegral<std::uint64_t>();
            memory.uss = input.ConsumeIntegral<std::uint64_t>();
            memory.pss = input.ConsumeIntegral<std::uint64_t>();
            table.set_memory(candidates[input.ConsumeIntegralInRange<std::size_t>(0, candidates.size() - 1)].key, memory);
          }
        }
        break;
    }
  }
  return 0;
}
