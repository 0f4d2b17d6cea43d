// process_* self-metrics: exact values from tests/fixtures/proc/self, and consistency with the
// kernel's own answers for this test process.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <limits>
#include <string>
#include <vector>

#include "bpfproc/procfs/self_metrics.h"
#include "bpfproc/util/file_descriptor.h"

namespace bpfproc {
namespace {

const std::string kFixtureProc = std::string(BPFPROC_FIXTURES_DIR) + "/proc";

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

TEST(SelfMetricsTest, ExactValuesFromFixtures) {
  // The fixture's tick counts were written at USER_HZ = 100, the only value Linux reports.
  ASSERT_EQ(sysconf(_SC_CLK_TCK), 100);
  Result<SelfMetrics> metrics = read_self_metrics(ProcFs(kFixtureProc), SelfCpuSource::proc_stat);
  ASSERT_TRUE(metrics.ok()) << metrics.error().message();
  EXPECT_DOUBLE_EQ(metrics->cpu_seconds, (35 + 2) / 100.0);              // utime + stime
  EXPECT_DOUBLE_EQ(metrics->resident_memory_bytes, 37036.0 * 1024);      // VmRSS
  EXPECT_DOUBLE_EQ(metrics->virtual_memory_bytes, 261252.0 * 1024);      // VmSize
  EXPECT_DOUBLE_EQ(metrics->open_fds, 4);                                // self/fd/{0,1,2,3}
  EXPECT_DOUBLE_EQ(metrics->max_fds, 1024);                              // soft, not hard (524288)
  EXPECT_DOUBLE_EQ(metrics->start_time_seconds, 1795309369 + 32982 / 100.0);  // btime + starttime
  EXPECT_DOUBLE_EQ(metrics->threads, 4);
}

TEST(SelfMetricsTest, ProcessClockMeasuresTheCaller) {
  // Burn a little CPU so that the clock has moved measurably.
  volatile std::uint64_t sink = 0;
  for (std::uint64_t i = 0; i < 20'000'000; ++i) sink = sink + i;
  double before = process_cpu_seconds();
  Result<SelfMetrics> metrics = read_self_metrics(ProcFs(kFixtureProc), SelfCpuSource::process_clock);
  double after = process_cpu_seconds();
  ASSERT_TRUE(metrics.ok()) << metrics.error().message();
  EXPECT_GT(before, 0.0);
  EXPECT_GE(metrics->cpu_seconds, before);
  EXPECT_LE(metrics->cpu_seconds, after);
  // Everything else still comes from the fixture.
  EXPECT_DOUBLE_EQ(metrics->threads, 4);
}

TEST(SelfMetricsTest, LiveProcMatchesTheKernel) {
  Result<SelfMetrics> first = read_self_metrics(ProcFs());
  ASSERT_TRUE(first.ok()) << first.error().message();

  rlimit open_files{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &open_files), 0);
  EXPECT_DOUBLE_EQ(first->max_fds, static_cast<double>(open_files.rlim_cur));
  EXPECT_GE(first->threads, 1);
  EXPECT_GT(first->resident_memory_bytes, 0);
  EXPECT_GT(first->virtual_memory_bytes, first->resident_memory_bytes);
  EXPECT_GT(first->cpu_seconds, 0);
  // btime has one-second resolution; the process started moments ago.
  double now = static_cast<double>(time(nullptr));
  EXPECT_LE(first->start_time_seconds, now + 2);
  EXPECT_GE(first->start_time_seconds, now - 3600);

  // Each new descriptor is counted exactly once.
  std::vector<FileDescriptor> extra;
  for (int i = 0; i < 3; ++i) extra.emplace_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
  Result<SelfMetrics> second = read_self_metrics(ProcFs());
  extra.clear();
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_DOUBLE_EQ(second->open_fds, first->open_fds + 3);
}

TEST(SelfMetricsTest, MissingRootIsAnError) {
  Result<SelfMetrics> metrics = read_self_metrics(ProcFs(kFixtureProc + "/does-not-exist"));
  ASSERT_FALSE(metrics.ok());
  EXPECT_EQ(metrics.error().errno_value, ENOENT);
}

TEST(MaxOpenFilesTest, SoftLimitOfTheRightLine) {
  const char* limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max file size             unlimited            unlimited            bytes     \n"
      "Max open files            20000                40000                files     \n";
  Result<std::uint64_t> value = parse_max_open_files(limits);
  ASSERT_TRUE(value.ok()) << value.error().message();
  EXPECT_EQ(*value, 20000u);
}

TEST(MaxOpenFilesTest, UnlimitedIsLargestUint64) {
  Result<std::uint64_t> value = parse_max_open_files(
      "Max open files            unlimited            unlimited            files     \n");
  ASSERT_TRUE(value.ok()) << value.error().message();
  EXPECT_EQ(*value, std::numeric_limits<std::uint64_t>::max());
}

TEST(MaxOpenFilesTest, MissingOrMalformedIsAnError) {
  EXPECT_FALSE(parse_max_open_files("").ok());
  EXPECT_FALSE(parse_max_open_files("Max file size   unlimited   unlimited   bytes\n").ok());
  EXPECT_FALSE(parse_max_open_files("Max open files  lots        4096        files\n").ok());
}

TEST(BootTimeTest, FromFixture) {
  Result<std::string> stat = ProcFs(kFixtureProc).read("stat");
  ASSERT_TRUE(stat.ok()) << stat.error().message();
  Result<std::uint64_t> boot_time = parse_boot_time(*stat);
  ASSERT_TRUE(boot_time.ok()) << boot_time.error().message();
  EXPECT_EQ(*boot_time, 1795309369u);
}

TEST(BootTimeTest, MissingOrMalformedIsAnError) {
  EXPECT_FALSE(parse_boot_time("cpu  1 2 3\nctxt 5\n").ok());
  EXPECT_FALSE(parse_boot_time("btime soon\n").ok());
  // "btime" must be a whole key, at the start of a line.
  EXPECT_FALSE(parse_boot_time("xbtime 12\n").ok());
}

}  // namespace
}  // namespace bpfproc
