// I/O, page faults, open files, memory and thread states of a group, read from the task walk and
// folded in at exit like CPU, against the kernel's own per-process figures (/proc/PID/io, stat,
// fd, and getrusage once reaped), and against what it did (256 MiB written, 40,000 pages touched).
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "bpf_test_support.h"

namespace bpfproc::testing {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kFileBytes = 256 * kMiB;

// The kernel's own figures for a live process, as /proc shows them: /proc/PID/io's fields, and
// minflt, majflt, vsize and rss (in pages) of /proc/PID/stat, and the entries of /proc/PID/fd.
// Read while the process is blocked, so that nothing moves between this and a collection.
std::map<std::string, std::uint64_t> proc_view(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  std::map<std::string, std::uint64_t> view;
  std::ifstream io(dir + "/io");
  std::string key;
  std::uint64_t value = 0;
  while (io >> key >> value) view[key.substr(0, key.size() - 1)] = value;
  std::ifstream stat_file(dir + "/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::vector<std::string> after_comm{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
  // Field 3 (state) is after_comm[0]: minflt is field 10, majflt 12, vsize 23, rss 24.
  view["minflt"] = std::stoull(after_comm.at(7));
  view["majflt"] = std::stoull(after_comm.at(9));
  view["vsize"] = std::stoull(after_comm.at(20));
  view["rss"] = std::stoull(after_comm.at(21)) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  const auto entries = std::filesystem::directory_iterator(dir + "/fd");
  view["fds"] = static_cast<std::uint64_t>(std::distance(begin(entries), end(entries)));
  EXPECT_TRUE(view.count("write_bytes")) << "no /proc/PID/io for " << pid;
  return view;
}

// A scratch file on the build tree's file system: /tmp may be a tmpfs, where nothing reaches storage.
struct ScratchFile {
  std::string path = std::string(BPFPROC_TOOLS_DIR) + "/io-accuracy-" + std::to_string(getpid());
  ~ScratchFile() { unlink(path.c_str()); }
};

// Collects until the group's counter reaches `at_least`, 5 s at most: a process's record comes with
// the collection after it ran.
template <typename Read>
std::vector<GroupTotals> collect_until(ProcessTracker& monitor, const std::string& group, Read read,
                                       std::uint64_t at_least) {
  auto groups = monitor.collect_groups();
  for (int attempt = 0; attempt < 50; ++attempt) {
    const GroupTotals* found = find_group(groups, group);
    if (found != nullptr && read(*found) >= at_least) break;
    usleep(100'000);
    groups = monitor.collect_groups();
  }
  return groups;
}

void expect_within(const char* what, double exported, double truth, double tolerance) {
  std::printf("measured: %s: exported %.0f, truth %.0f, error %+.4f%%\n", what, exported, truth,
              truth == 0 ? 0.0 : 100.0 * (exported - truth) / truth);
  EXPECT_LE(std::fabs(exported - truth), truth * tolerance) << what << ": exported " << exported << ", truth " << truth;
}

TEST(IoAccuracy, StorageWritesAndReadsOfAGroupMatchItsProcessesBeforeAndAfterExit) {
  REQUIRE_BPF_OR_SKIP();
  const std::string writer_path = program_as("/usr/bin/python3", "writer");
  const std::string reader_path = program_as("/usr/bin/python3", "reader");
  auto monitor = start_monitor("process_names:\n"
                               "  - {name: writer, comm: [" + comm_of_tool(writer_path) + "]}\n"
                               "  - {name: reader, comm: [" + comm_of_tool(reader_path) + "]}\n",
                               false);
  const ScratchFile file;

  // 256 MiB in 1 MiB writes, then fsync: write_bytes counts each dirtied page once.
  Child writer = Child::spawn({writer_path, "-c", R"(
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
block = b'\xab' * (1 << 20)
for _ in range(256):
    os.write(fd, block)
os.fsync(fd)
os.close(fd)
print('ready', flush=True)
sys.stdin.read()
)", file.path});
  ASSERT_EQ(writer.read_line(), "ready");
  auto wrote = proc_view(writer.pid);
  const auto write_bytes = [](const GroupTotals& group) { return group.counters.write_bytes; };
  auto groups = collect_until(*monitor, "writer", write_bytes, wrote["write_bytes"]);
  const GroupTotals* live = find_group(groups, "writer");
  ASSERT_NE(live, nullptr);
  expect_within("writer alive, write_bytes vs 256 MiB", live->counters.write_bytes, kFileBytes, 0.01);
  expect_within("writer alive, write_bytes vs its /proc/PID/io", live->counters.write_bytes,
                wrote["write_bytes"], 0.01);
  expect_within("writer alive, write chars vs its /proc/PID/io", live->counters.write_chars, wrote["wchar"],
                0.01);
  expect_within("writer alive, write syscalls vs its /proc/PID/io", live->counters.write_syscalls,
                wrote["syscw"], 0.01);
  ASSERT_EQ(writer.finish(), 0);
  groups = collect_until_exits(*monitor, "writer", 1);
  const GroupTotals* exited = find_group(groups, "writer");
  ASSERT_NE(exited, nullptr);
  EXPECT_EQ(exited->exits, 1u);
  expect_within("writer exited, write_bytes vs 256 MiB", exited->counters.write_bytes, kFileBytes, 0.01);

  // The reader drops the file from the page cache, then reads it whole in 64 KiB reads, then maps
  // it after another drop and touches a byte every 64 KiB: storage reads, and major faults. The
  // exec's own reads of the program's headers (5 here) go to the program before the exec, as its
  // CPU does: 4,096 reads keep them under 1%.
  Child reader = Child::spawn({reader_path, "-c", R"(
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
while os.read(fd, 1 << 16):
    pass
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
view = mmap.mmap(fd, 0, prot=mmap.PROT_READ)
total = sum(view[offset] for offset in range(0, len(view), 1 << 16))
print('ready', flush=True)
sys.stdin.read()
)", file.path});
  ASSERT_EQ(reader.read_line(), "ready");
  auto read_report = proc_view(reader.pid);
  const auto read_bytes = [](const GroupTotals& group) { return group.counters.read_bytes; };
  groups = collect_until(*monitor, "reader", read_bytes, read_report["read_bytes"]);
  live = find_group(groups, "reader");
  ASSERT_NE(live, nullptr);
  // The file twice (read, then mapped), with readahead's rounding.
  EXPECT_GE(live->counters.read_bytes, kFileBytes) << "the read alone brings in the whole file";
  expect_within("reader alive, read_bytes vs its /proc/PID/io", live->counters.read_bytes,
                read_report["read_bytes"], 0.01);
  expect_within("reader alive, read chars vs its /proc/PID/io", live->counters.read_chars, read_report["rchar"],
                0.01);
  expect_within("reader alive, read syscalls vs its /proc/PID/io", live->counters.read_syscalls,
                read_report["syscr"], 0.01);
  EXPECT_GT(read_report["majflt"], 0u) << "the mapping was read from storage";
  expect_within("reader alive, major faults vs its /proc/PID/stat", live->counters.major_faults,
                read_report["majflt"], 0.01);
  const std::uint64_t alive_read_bytes = live->counters.read_bytes;
  ASSERT_EQ(reader.finish(), 0);
  groups = collect_until_exits(*monitor, "reader", 1);
  exited = find_group(groups, "reader");
  ASSERT_NE(exited, nullptr);
  EXPECT_EQ(exited->exits, 1u);
  expect_within("reader exited, read_bytes vs alive", exited->counters.read_bytes, alive_read_bytes, 0.01);
}

TEST(IoAccuracy, FaultsOpenFilesMemoryAndThreadStatesMatchTheProcess) {
  REQUIRE_BPF_OR_SKIP();
  const std::string path = program_as("/usr/bin/python3", "holder");
  auto monitor = start_monitor("process_names: [{name: holder, comm: [" + comm_of_tool(path) + "]}]\n", false);

  // 40,000 new pages touched, 500 files held open under a soft limit of 2048, three threads
  // sleeping on an event besides the main one, blocked reading stdin.
  constexpr std::uint64_t kPages = 40'000;
  constexpr std::uint64_t kFiles = 500;
  Child holder = Child::spawn({path, "-c", R"(
import mmap, os, resource, sys, threading
resource.setrlimit(resource.RLIMIT_NOFILE, (2048, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
pages = mmap.mmap(-1, 40000 * 4096)
for page in range(40000):
    pages[page * 4096] = 1
files = [open('/dev/null') for _ in range(500)]
stop = threading.Event()
threads = [threading.Thread(target=stop.wait) for _ in range(3)]
for thread in threads:
    thread.start()
print('ready', flush=True)
sys.stdin.read()
stop.set()
)"});
  ASSERT_EQ(holder.read_line(), "ready");
  auto line = proc_view(holder.pid);
  const std::int64_t faults_before = [] {
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return usage.ru_minflt;
  }();
  const auto minor = [](const GroupTotals& group) { return group.counters.minor_faults; };
  auto groups = collect_until(*monitor, "holder", minor, line["minflt"]);
  const GroupTotals* live = find_group(groups, "holder");
  ASSERT_NE(live, nullptr);
  EXPECT_GE(live->counters.minor_faults, kPages);
  expect_within("holder alive, minor faults vs its /proc/PID/stat", live->counters.minor_faults,
                line["minflt"], 0.01);
  const std::uint64_t fds = line["fds"];
  EXPECT_GE(fds, kFiles + 3);
  std::printf("measured: open fds: exported %lu, /proc/PID/fd %lu\n", static_cast<unsigned long>(live->gauges.open_fds),
              static_cast<unsigned long>(fds));
  EXPECT_EQ(live->gauges.open_fds, fds) << "a count: exact";
  EXPECT_DOUBLE_EQ(live->gauges.worst_fd_ratio, static_cast<double>(fds) / 2048);
  EXPECT_EQ(live->gauges.virtual_bytes, line["vsize"]) << "mappings did not change since the report";
  expect_within("holder alive, resident vs its /proc/PID/stat", live->gauges.resident_bytes, line["rss"], 0.01);
  EXPECT_GE(live->gauges.resident_bytes, kPages * 4096);
  using State = ThreadState;
  EXPECT_EQ(live->gauges.thread_states[static_cast<std::size_t>(State::sleeping)], 4u)
      << "the main thread in read(), three in a wait";
  EXPECT_EQ(live->gauges.process_states[static_cast<std::size_t>(State::sleeping)], 1u);
  EXPECT_EQ(live->threads, 4u);

  ASSERT_EQ(holder.finish(), 0);
  groups = collect_until_exits(*monitor, "holder", 1);
  const GroupTotals* exited = find_group(groups, "holder");
  ASSERT_NE(exited, nullptr);
  EXPECT_EQ(exited->exits, 1u);
  // After exit, against the kernel's total for the reaped child (its faults between fork and
  // exec, in the test binary's image, stay with the test's own group: well under 1%).
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  expect_within("holder exited, minor faults vs getrusage(RUSAGE_CHILDREN)", exited->counters.minor_faults,
                static_cast<double>(usage.ru_minflt - faults_before), 0.01);
  EXPECT_EQ(exited->gauges.open_fds, 0u) << "gauges count live processes only";
  EXPECT_EQ(exited->gauges.resident_bytes, 0u);
  EXPECT_EQ(exited->gauges.thread_states, (std::array<std::uint64_t, kThreadStates>{}));
}

}  // namespace
}  // namespace bpfproc::testing
