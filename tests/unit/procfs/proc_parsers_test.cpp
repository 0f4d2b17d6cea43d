// Parsers of /proc files, ProcFs/ProcessDir and read_process_identity, on tests/fixtures/proc
// (files taken from kernel 6.18, see tests/fixtures/proc/README.md) and on inline text.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string>
#include <vector>

#include "bpfproc/procfs/proc_cgroup.h"
#include "bpfproc/procfs/proc_cmdline.h"
#include "bpfproc/procfs/proc_stat.h"
#include "bpfproc/procfs/proc_status.h"
#include "bpfproc/procfs/process_identity.h"
#include "bpfproc/procfs/procfs.h"
#include "bpfproc/procfs/smaps_rollup.h"

namespace bpfproc {
namespace {

using namespace std::string_literals;

const std::string kFixtureProc = std::string(BPFPROC_FIXTURES_DIR) + "/proc";
constexpr unsigned int kPfKthread = 0x00200000;

std::string read_fixture(const std::string& relative_path) {
  Result<std::string> text = ProcFs(kFixtureProc).read(relative_path);
  if (!text) ADD_FAILURE() << text.error().message();
  return text ? *text : std::string();
}

std::uint64_t clock_ticks_per_second() { return static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK)); }

// ---- /proc/PID/stat

TEST(ProcStatTest, CommWithSpacesAndParentheses) {
  Result<ProcStat> stat = parse_proc_stat(read_fixture("4242/stat"));
  ASSERT_TRUE(stat.ok()) << stat.error().message();
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->comm, "(sd-pam) x)");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->ppid, 1);
  EXPECT_EQ(stat->flags, 4194304u);
  EXPECT_EQ(stat->utime_ticks, 3u);
  EXPECT_EQ(stat->stime_ticks, 3u);
  EXPECT_EQ(stat->num_threads, 1);
  EXPECT_EQ(stat->start_time_ticks, 32267u);
  EXPECT_EQ(stat->virtual_memory_bytes, 17145856u);
  EXPECT_EQ(stat->resident_pages, 3429);
}

TEST(ProcStatTest, CommThatLooksLikeFields) {
  // A comm such as ") R 9 (" must not shift the fields that follow it.
  Result<ProcStat> stat = parse_proc_stat(
      "77 () R 9 () Z 5 77 77 0 -1 4194560 1 0 0 0 12 34 0 0 20 0 3 0 555 1000 7 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
  ASSERT_TRUE(stat.ok()) << stat.error().message();
  EXPECT_EQ(stat->comm, ") R 9 (");
  EXPECT_EQ(stat->state, 'Z');
  EXPECT_EQ(stat->ppid, 5);
  EXPECT_EQ(stat->utime_ticks, 12u);
  EXPECT_EQ(stat->stime_ticks, 34u);
  EXPECT_EQ(stat->num_threads, 3);
  EXPECT_EQ(stat->start_time_ticks, 555u);
  EXPECT_EQ(stat->virtual_memory_bytes, 1000u);
  EXPECT_EQ(stat->resident_pages, 7);
}

TEST(ProcStatTest, KernelThreadFlags) {
  Result<ProcStat> stat = parse_proc_stat(read_fixture("2/stat"));
  ASSERT_TRUE(stat.ok()) << stat.error().message();
  EXPECT_EQ(stat->comm, "kthreadd");
  EXPECT_NE(stat->flags & kPfKthread, 0u);
  EXPECT_EQ(stat->ppid, 0);
  EXPECT_EQ(stat->start_time_ticks, 21u);
  EXPECT_EQ(stat->virtual_memory_bytes, 0u);
}

TEST(ProcStatTest, NormalProcessIsNotKernelThread) {
  Result<ProcStat> stat = parse_proc_stat(read_fixture("1000/stat"));
  ASSERT_TRUE(stat.ok()) << stat.error().message();
  EXPECT_EQ(stat->comm, "sleep");
  EXPECT_EQ(stat->flags & kPfKthread, 0u);
}

TEST(ProcStatTest, TruncatedIsAnError) {
  std::string full = read_fixture("4242/stat");
  // Cut anywhere up to and inside rss (field 24), the last field bpfproc uses.
  std::size_t rss_end = full.find(" 3429 ") + 5;
  ASSERT_NE(rss_end, std::string::npos + 5);
  for (std::size_t length : {0ul, 5ul, 20ul, 60ul, rss_end - 2, rss_end}) {
    Result<ProcStat> stat = parse_proc_stat(std::string_view(full).substr(0, length));
    EXPECT_FALSE(stat.ok()) << "length " << length;
  }
}

TEST(ProcStatTest, GarbageIsAnError) {
  // The well-formed line each bad one below differs from in one place.
  Result<ProcStat> control =
      parse_proc_stat("12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22\n");
  ASSERT_TRUE(control.ok()) << control.error().message();
  EXPECT_EQ(control->resident_pages, 21);
  const std::vector<std::string> garbage = {
      "hello world\n",
      "(x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22\n",  // no pid
      "abc (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22\n",
      "12 x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22\n",  // no '('
      "12 (x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22\n",  // no ')'
      "12 (x) SS 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22\n",  // state
      "12 (x) S 1 2 3 4 5 6 7 8 9 10 ten 12 13 14 15 16 17 18 19 20 21 22\n",  // utime
      "12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 -19 20 21 22\n",  // starttime
  };
  for (const std::string& text : garbage) {
    Result<ProcStat> stat = parse_proc_stat(text);
    EXPECT_FALSE(stat.ok()) << text;
    if (!stat.ok()) {
      EXPECT_EQ(stat.error().errno_value, 0);
    }
  }
}

// ---- /proc/PID/status

TEST(ProcStatusTest, UserProcess) {
  Result<ProcStatus> status = parse_proc_status(read_fixture("4242/status"));
  ASSERT_TRUE(status.ok()) << status.error().message();
  EXPECT_EQ(status->name, "(sd-pam) x)");
  EXPECT_EQ(status->real_uid, 1000u);
  EXPECT_EQ(status->effective_uid, 1000u);
  EXPECT_EQ(status->threads, 1u);
  EXPECT_EQ(status->vm_rss_bytes, 13804u * 1024);
  EXPECT_EQ(status->vm_size_bytes, 16744u * 1024);
}

TEST(ProcStatusTest, MultiThreaded) {
  Result<ProcStatus> status = parse_proc_status(read_fixture("self/status"));
  ASSERT_TRUE(status.ok()) << status.error().message();
  EXPECT_EQ(status->name, "bpfproc");
  EXPECT_EQ(status->threads, 4u);
  EXPECT_EQ(status->vm_rss_bytes, 37036u * 1024);
  EXPECT_EQ(status->vm_size_bytes, 261252u * 1024);
}

TEST(ProcStatusTest, KernelThreadHasNoMemory) {
  Result<ProcStatus> status = parse_proc_status(read_fixture("2/status"));
  ASSERT_TRUE(status.ok()) << status.error().message();
  EXPECT_EQ(status->name, "kthreadd");
  EXPECT_EQ(status->real_uid, 0u);
  EXPECT_EQ(status->threads, 1u);
  EXPECT_EQ(status->vm_rss_bytes, 0u);
  EXPECT_EQ(status->vm_size_bytes, 0u);
}

TEST(ProcStatusTest, DistinctRealAndEffectiveUid) {
  Result<ProcStatus> status =
      parse_proc_status("Name:\tsudo\nUid:\t1000\t0\t0\t0\nThreads:\t1\nVmRSS:\t  8 kB\n");
  ASSERT_TRUE(status.ok()) << status.error().message();
  EXPECT_EQ(status->real_uid, 1000u);
  EXPECT_EQ(status->effective_uid, 0u);
  EXPECT_EQ(status->vm_rss_bytes, 8192u);
}

TEST(ProcStatusTest, MissingOrMalformedRequiredFieldsAreErrors) {
  EXPECT_FALSE(parse_proc_status("").ok());
  EXPECT_FALSE(parse_proc_status("Name:\tx\nThreads:\t1\n").ok());         // no Uid
  EXPECT_FALSE(parse_proc_status("Name:\tx\nUid:\t0\t0\t0\t0\n").ok());    // no Threads
  EXPECT_FALSE(parse_proc_status("Uid:\tzero\nThreads:\t1\n").ok());
  EXPECT_FALSE(parse_proc_status("Uid:\t0\t0\t0\t0\nThreads:\tmany\n").ok());
  EXPECT_FALSE(parse_proc_status("Uid:\t0\t0\t0\t0\nThreads:\t1\nVmRSS:\t  8 MB\n").ok());
}

// ---- /proc/PID/cgroup

TEST(ProcCgroupTest, PathOfEachLineInOrder) {
  EXPECT_EQ(parse_proc_cgroup("0::/user.slice/user-1000.slice/session-2.scope\n").value(),
            std::vector<std::string>{"/user.slice/user-1000.slice/session-2.scope"});
  EXPECT_EQ(parse_proc_cgroup("9:name=systemd:/\n4:memory:/a\n0::/\n").value(),
            (std::vector<std::string>{"/", "/a", "/"}));
  // Everything after the second colon is the path, colons included (procfs's SplitN(line, ":", 3)).
  EXPECT_EQ(parse_proc_cgroup("1:cpu,cpuacct:/a:b\n").value(), std::vector<std::string>{"/a:b"});
  EXPECT_EQ(parse_proc_cgroup("0::/x").value(), std::vector<std::string>{"/x"}) << "no final newline";
  EXPECT_EQ(parse_proc_cgroup("0::/gone (deleted)\n").value(), std::vector<std::string>{"/gone (deleted)"});
  EXPECT_TRUE(parse_proc_cgroup("").value().empty());
}

TEST(ProcCgroupTest, MalformedLinesAreErrors) {
  EXPECT_FALSE(parse_proc_cgroup("0:/x\n").ok());
  EXPECT_FALSE(parse_proc_cgroup("x::/x\n").ok());
  EXPECT_FALSE(parse_proc_cgroup("0::/\n\n").ok()) << "an empty line, as procfs's scanner sees it";
}

// ---- /proc/PID/cmdline

TEST(ProcCmdlineTest, TrailingNulDoesNotAddAnArgument) {
  EXPECT_EQ(parse_cmdline("sleep\0" "1000\0"s), (std::vector<std::string>{"sleep", "1000"}));
}

TEST(ProcCmdlineTest, WithoutTrailingNul) {
  // setproctitle-style rewrites may drop the terminator.
  EXPECT_EQ(parse_cmdline("nginx: worker process"s),
            (std::vector<std::string>{"nginx: worker process"}));
  EXPECT_EQ(parse_cmdline("a\0b"s), (std::vector<std::string>{"a", "b"}));
}

TEST(ProcCmdlineTest, EmptyArgumentsAreKeptButNotTrailingOnes) {
  EXPECT_EQ(parse_cmdline("a\0\0b\0"s), (std::vector<std::string>{"a", "", "b"}));
  // As process-exporter: a title padded with NULs (setproctitle) has no empty arguments after it.
  EXPECT_EQ(parse_cmdline("a\0\0"s), (std::vector<std::string>{"a"}));
  EXPECT_EQ(parse_cmdline("postgres: checkpointer\0\0\0\0"s), (std::vector<std::string>{"postgres: checkpointer"}));
  EXPECT_EQ(parse_cmdline("\0"s), (std::vector<std::string>{""})) << "one empty argv[0], not none";
  EXPECT_EQ(parse_cmdline(read_fixture("4242/cmdline")),
            (std::vector<std::string>{"/usr/bin/python3", "worker.py", "", "--title", "(sd-pam) x)"}));
}

TEST(ProcCmdlineTest, KernelThreadIsEmpty) {
  EXPECT_TRUE(parse_cmdline(read_fixture("2/cmdline")).empty());
  EXPECT_TRUE(parse_cmdline("").empty());
}

TEST(ProcCmdlineTest, JoinUsesSingleSpaces) {
  EXPECT_EQ(join_cmdline({"/usr/bin/python3", "worker.py", "", "--title", "(sd-pam) x)"}),
            "/usr/bin/python3 worker.py  --title (sd-pam) x)");
  EXPECT_EQ(join_cmdline({"sleep"}), "sleep");
  EXPECT_EQ(join_cmdline({}), "");
}

// ---- /proc/PID/smaps_rollup

TEST(SmapsRollupTest, ExactBytes) {
  Result<MemoryUsage> usage = parse_smaps_rollup(read_fixture("1000/smaps_rollup"));
  ASSERT_TRUE(usage.ok()) << usage.error().message();
  EXPECT_EQ(usage->rss, 1792u * 1024);
  EXPECT_EQ(usage->pss, 431u * 1024);  // not Pss_Dirty (140 kB), which shares the prefix
  EXPECT_EQ(usage->pss_anon, 108u * 1024);
  EXPECT_EQ(usage->pss_file, 291u * 1024);
  EXPECT_EQ(usage->pss_shmem, 32u * 1024);
  EXPECT_EQ(usage->uss, (12u + 108u) * 1024);  // Private_Clean + Private_Dirty
  EXPECT_EQ(usage->swap, 40u * 1024);
  EXPECT_EQ(usage->swap_pss, 28u * 1024);  // not Swap, which it follows
}

TEST(SmapsRollupTest, SecondFixture) {
  Result<MemoryUsage> usage = parse_smaps_rollup(read_fixture("4242/smaps_rollup"));
  ASSERT_TRUE(usage.ok()) << usage.error().message();
  MemoryUsage expected;
  expected.rss = 13804u * 1024;
  expected.pss = 12425u * 1024;
  expected.pss_anon = 7012u * 1024;
  expected.pss_file = 5413u * 1024;
  expected.pss_shmem = 0;
  expected.uss = (5128u + 7012u) * 1024;
  EXPECT_EQ(*usage, expected);
}

TEST(SmapsRollupTest, EmptyIsAnError) {
  EXPECT_FALSE(parse_smaps_rollup(read_fixture("2/smaps_rollup")).ok());
  EXPECT_FALSE(parse_smaps_rollup("").ok());
  // Only the header line: no Rss to report.
  EXPECT_FALSE(parse_smaps_rollup("55a0efeee000-7ffdb2e5e000 ---p 00000000 00:00 0   [rollup]\n").ok());
}

TEST(SmapsRollupTest, MalformedValueIsAnError) {
  EXPECT_FALSE(parse_smaps_rollup("header\nRss:   12 kB\nPss:   x kB\n").ok());
  EXPECT_FALSE(parse_smaps_rollup("header\nRss:   12 MB\n").ok());
}

TEST(SmapsRollupTest, UnknownLinesAreIgnored) {
  Result<MemoryUsage> usage =
      parse_smaps_rollup("header\nRss:   12 kB\nSomeFutureField:   whatever\nSwap:  4 kB\n");
  ASSERT_TRUE(usage.ok()) << usage.error().message();
  EXPECT_EQ(usage->rss, 12u * 1024);
  EXPECT_EQ(usage->swap, 4u * 1024);
}

TEST(SmapsRollupTest, AddsFieldByField) {
  MemoryUsage total{1, 2, 3, 4, 5, 6, 7, 8};
  total += MemoryUsage{10, 20, 30, 40, 50, 60, 70, 80};
  EXPECT_EQ(total, (MemoryUsage{11, 22, 33, 44, 55, 66, 77, 88}));
}

// ---- ProcFs and ProcessDir

TEST(ProcFsTest, PidsAreTheNumericEntries) {
  EXPECT_EQ(ProcFs(kFixtureProc).pids(), (std::vector<int>{2, 1000, 4242}));
}

TEST(ProcFsTest, MissingRootHasNoPids) {
  EXPECT_TRUE(ProcFs(kFixtureProc + "/does-not-exist").pids().empty());
}

TEST(ProcFsTest, RealProcListsThisProcess) {
  std::vector<int> pids = ProcFs().pids();
  EXPECT_NE(std::find(pids.begin(), pids.end(), getpid()), pids.end());
}

TEST(ProcFsTest, ReadsRelativePaths) {
  ProcFs procfs(kFixtureProc);
  Result<std::string> comm = procfs.read("1000/comm");
  ASSERT_TRUE(comm.ok()) << comm.error().message();
  EXPECT_EQ(*comm, "sleep\n");
}

TEST(ProcFsTest, ReadErrorCarriesPathAndErrno) {
  Result<std::string> text = ProcFs(kFixtureProc).read("1000/no-such-file");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().errno_value, ENOENT);
  EXPECT_EQ(text.error().object, kFixtureProc + "/1000/no-such-file");
}

TEST(ProcFsTest, ReadsFilesLargerThanOneChunk) {
  // /proc/self/maps of a gtest binary is usually > 4 KiB and reports st_size 0.
  Result<std::string> maps = ProcFs().read("self/maps");
  ASSERT_TRUE(maps.ok()) << maps.error().message();
  EXPECT_GT(maps->size(), 0u);
  EXPECT_EQ(maps->back(), '\n');
}

TEST(ProcessDirTest, ReadsFilesAndLinksOfFixture) {
  Result<ProcessDir> dir = ProcessDir::open(ProcFs(kFixtureProc), 4242);
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  EXPECT_EQ(dir->pid(), 4242);

  Result<std::string> comm = dir->read("comm");
  ASSERT_TRUE(comm.ok()) << comm.error().message();
  EXPECT_EQ(*comm, "(sd-pam) x)\n");

  Result<std::string> exe = dir->read_link("exe");
  ASSERT_TRUE(exe.ok()) << exe.error().message();
  EXPECT_EQ(*exe, "/usr/bin/python3.11 (deleted)");

  Result<std::string> missing = dir->read("environ");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().errno_value, ENOENT);
  EXPECT_EQ(missing.error().object, kFixtureProc + "/4242/environ");
}

TEST(ProcessDirTest, MoveKeepsTheDirectory) {
  Result<ProcessDir> opened = ProcessDir::open(ProcFs(kFixtureProc), 1000);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  ProcessDir moved = std::move(*opened);
  Result<ProcessDir> other = ProcessDir::open(ProcFs(kFixtureProc), 2);
  ASSERT_TRUE(other.ok()) << other.error().message();
  moved = std::move(*other);
  EXPECT_EQ(moved.pid(), 2);
  Result<std::string> comm = moved.read("comm");
  ASSERT_TRUE(comm.ok()) << comm.error().message();
  EXPECT_EQ(*comm, "kthreadd\n");
}

TEST(ProcessDirTest, MissingPidIsENOENT) {
  Result<ProcessDir> dir = ProcessDir::open(ProcFs(kFixtureProc), 31337);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().errno_value, ENOENT);
  EXPECT_EQ(dir.error().object, kFixtureProc + "/31337");
}

TEST(ProcessDirTest, VanishedProcessFailsInsteadOfReadingAnother) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  Result<ProcessDir> dir = ProcessDir::open(ProcFs(), child);
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  EXPECT_TRUE(dir->read("stat").ok());

  ASSERT_EQ(kill(child, SIGKILL), 0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);

  Result<std::string> stat = dir->read("stat");
  ASSERT_FALSE(stat.ok());
  EXPECT_TRUE(stat.error().errno_value == ESRCH || stat.error().errno_value == ENOENT)
      << stat.error().message();
  Result<std::string> exe = dir->read_link("exe");
  ASSERT_FALSE(exe.ok());
  EXPECT_TRUE(exe.error().errno_value == ESRCH || exe.error().errno_value == ENOENT)
      << exe.error().message();
  Result<ProcessIdentity> identity = read_process_identity(*dir);
  ASSERT_FALSE(identity.ok());
  EXPECT_TRUE(identity.error().errno_value == ESRCH || identity.error().errno_value == ENOENT)
      << identity.error().message();

  // Opening the reaped pid anew fails too (unless the pid was already reused).
  Result<ProcessDir> reopened = ProcessDir::open(ProcFs(), child);
  if (!reopened.ok()) {
    EXPECT_EQ(reopened.error().errno_value, ENOENT);
  }
}

// ---- read_process_identity

TEST(ProcessIdentityTest, UserProcessWithDeletedBinary) {
  Result<ProcessDir> dir = ProcessDir::open(ProcFs(kFixtureProc), 4242);
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  Result<ProcessIdentity> identity = read_process_identity(*dir);
  ASSERT_TRUE(identity.ok()) << identity.error().message();
  EXPECT_EQ(identity->pid, 4242);
  EXPECT_EQ(identity->comm, "(sd-pam) x)");
  EXPECT_EQ(identity->exe_path, "/usr/bin/python3.11");  // " (deleted)" stripped
  EXPECT_EQ(identity->exe_base(), "python3.11");
  EXPECT_EQ(identity->argv,
            (std::vector<std::string>{"/usr/bin/python3", "worker.py", "", "--title", "(sd-pam) x)"}));
  EXPECT_EQ(identity->uid, 1000u);
  EXPECT_EQ(identity->start_time_ns, 32267u * (1'000'000'000u / clock_ticks_per_second()));
  EXPECT_FALSE(identity->kernel_thread);
}

TEST(ProcessIdentityTest, KernelThread) {
  Result<ProcessDir> dir = ProcessDir::open(ProcFs(kFixtureProc), 2);
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  Result<ProcessIdentity> identity = read_process_identity(*dir);
  ASSERT_TRUE(identity.ok()) << identity.error().message();
  EXPECT_EQ(identity->pid, 2);
  EXPECT_EQ(identity->comm, "kthreadd");
  EXPECT_TRUE(identity->kernel_thread);
  EXPECT_TRUE(identity->exe_path.empty());  // the fixture has no exe link, like the kernel
  EXPECT_EQ(identity->exe_base(), "");
  EXPECT_TRUE(identity->argv.empty());
  EXPECT_EQ(identity->uid, 0u);
  EXPECT_EQ(identity->start_time_ns, 21u * (1'000'000'000u / clock_ticks_per_second()));
}

TEST(ProcessIdentityTest, NormalProcess) {
  Result<ProcessDir> dir = ProcessDir::open(ProcFs(kFixtureProc), 1000);
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  Result<ProcessIdentity> identity = read_process_identity(*dir);
  ASSERT_TRUE(identity.ok()) << identity.error().message();
  EXPECT_EQ(identity->comm, "sleep");
  EXPECT_EQ(identity->exe_path, "/usr/bin/sleep");
  EXPECT_EQ(identity->exe_base(), "sleep");
  EXPECT_EQ(identity->argv, (std::vector<std::string>{"sleep", "1000"}));
  EXPECT_EQ(identity->uid, 0u) << "the effective uid (real 1000), which process-exporter names";
  EXPECT_FALSE(identity->kernel_thread);
  // Not asked for: not read.
  EXPECT_TRUE(identity->cwd.empty());
  EXPECT_TRUE(identity->cgroups.empty());
}

TEST(ProcessIdentityTest, CwdAndCgroupsWhenAskedFor) {
  Result<ProcessDir> dir = ProcessDir::open(ProcFs(kFixtureProc), 1000);
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  Result<ProcessIdentity> identity = read_process_identity(*dir, {.cwd = true, .cgroups = true});
  ASSERT_TRUE(identity.ok()) << identity.error().message();
  EXPECT_EQ(identity->cwd, "/srv/jobs/nightly");
  EXPECT_EQ(identity->cgroups,
            (std::vector<std::string>{"/", "/system.slice/cron.service", "/process_api/01d7eaf2fd3d1561d59a30ccba39519d",
                                      "/", "/system.slice/cron.service"}));
  // The fixture's 4242 has neither: both stay empty, and the process is still read.
  Result<ProcessDir> other = ProcessDir::open(ProcFs(kFixtureProc), 4242);
  ASSERT_TRUE(other.ok());
  Result<ProcessIdentity> without = read_process_identity(*other, {.cwd = true, .cgroups = true});
  ASSERT_TRUE(without.ok()) << without.error().message();
  EXPECT_TRUE(without->cwd.empty());
  EXPECT_TRUE(without->cgroups.empty());
}

TEST(ProcessIdentityTest, CwdAndCgroupsOfThisProcessMatchProc) {
  Result<ProcessDir> dir = ProcessDir::open(ProcFs(), getpid());
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  Result<ProcessIdentity> identity = read_process_identity(*dir, {.cwd = true, .cgroups = true});
  ASSERT_TRUE(identity.ok()) << identity.error().message();
  char cwd[PATH_MAX] = {};
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  EXPECT_EQ(identity->cwd, cwd);
  EXPECT_FALSE(identity->cgroups.empty());
}

TEST(ProcessIdentityTest, ThisProcessOnRealProc) {
  Result<ProcessDir> dir = ProcessDir::open(ProcFs(), getpid());
  ASSERT_TRUE(dir.ok()) << dir.error().message();
  Result<ProcessIdentity> identity = read_process_identity(*dir);
  ASSERT_TRUE(identity.ok()) << identity.error().message();

  char exe[PATH_MAX + 1] = {};
  ssize_t length = readlink("/proc/self/exe", exe, PATH_MAX);
  ASSERT_GT(length, 0);
  EXPECT_EQ(identity->exe_path, std::string(exe, static_cast<std::size_t>(length)));
  EXPECT_EQ(identity->uid, getuid());
  EXPECT_FALSE(identity->kernel_thread);
  ASSERT_FALSE(identity->argv.empty());
  EXPECT_GT(identity->start_time_ns, 0u);
  // comm is the executable's name cut to TASK_COMM_LEN - 1 = 15 characters.
  EXPECT_EQ(identity->comm, identity->exe_base().substr(0, 15));
}

}  // namespace
}  // namespace bpfproc
