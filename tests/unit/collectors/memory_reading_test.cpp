// Reading one process's memory: a process that is gone, or whose pid now belongs to another
// process, is skipped quietly rather than reported as an error or read by mistake.
#include "bpfproc/collectors/memory_refresher.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "bpfproc/procfs/proc_stat.h"

namespace bpfproc {
namespace {

std::uint64_t start_time_ns_of(pid_t pid) {
  auto text = ProcFs().read(std::to_string(pid) + "/stat");
  EXPECT_TRUE(text.ok());
  auto stat = parse_proc_stat(*text);
  EXPECT_TRUE(stat.ok());
  return stat->start_time_ticks * (1'000'000'000ull / static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK)));
}

TEST(MemoryReading, ReadsALiveProcess) {
  const ProcessKey self{static_cast<std::uint32_t>(getpid()), start_time_ns_of(getpid())};
  MemoryReading reading = read_process_memory(ProcFs(), self);
  ASSERT_TRUE(reading.usage.has_value());
  EXPECT_FALSE(reading.error);
  EXPECT_GT(reading.usage->rss, 0u);
  EXPECT_GE(reading.usage->rss, reading.usage->uss);
}

TEST(MemoryReading, AProcessThatExitedIsSkippedQuietly) {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  const ProcessKey key{static_cast<std::uint32_t>(child), start_time_ns_of(getpid())};
  waitpid(child, nullptr, 0);
  MemoryReading reading = read_process_memory(ProcFs(), key);
  EXPECT_FALSE(reading.usage.has_value());
  EXPECT_FALSE(reading.error);
}

TEST(MemoryReading, APidNowOwnedByAnotherProcessIsNotRead) {
  // Our own pid, but a start time that is not ours: as if the pid had been reused.
  const ProcessKey stale{static_cast<std::uint32_t>(getpid()), start_time_ns_of(getpid()) + 60'000'000'000ull};
  MemoryReading reading = read_process_memory(ProcFs(), stale);
  EXPECT_FALSE(reading.usage.has_value());
  EXPECT_FALSE(reading.error);
}

TEST(MemoryReading, FixtureProcessParsesToExactBytes) {
  const ProcFs fixtures(std::string(BPFPROC_FIXTURES_DIR) + "/proc");
  auto stat = parse_proc_stat(*fixtures.read("1000/stat"));
  ASSERT_TRUE(stat.ok());
  const ProcessKey key{1000, stat->start_time_ticks * (1'000'000'000ull / static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK)))};
  MemoryReading reading = read_process_memory(fixtures, key);
  ASSERT_TRUE(reading.usage.has_value());
  EXPECT_GT(reading.usage->pss, 0u);
  EXPECT_EQ(reading.usage->pss % 1024, 0u) << "kB in the file, bytes out";
}

}  // namespace
}  // namespace bpfproc
