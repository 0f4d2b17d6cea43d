// Parsers of the whole-system /proc files the host collectors read (/proc/stat cpu lines,
// meminfo, loadavg, pressure, diskstats, net/dev, mounts, udev's database): the fixtures of tests/fixtures/proc
// (taken from kernel 6.18, see its README), truncated and garbage input, missing fields.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "bpfproc/procfs/cpu_times.h"
#include "bpfproc/procfs/diskstats.h"
#include "bpfproc/procfs/loadavg.h"
#include "bpfproc/procfs/meminfo.h"
#include "bpfproc/procfs/mounts.h"
#include "bpfproc/procfs/net_dev.h"
#include "bpfproc/procfs/pressure.h"
#include "bpfproc/procfs/procfs.h"
#include "bpfproc/procfs/udev_data.h"

namespace bpfproc {
namespace {

std::string fixture(const char* relative_path) {
  auto text = ProcFs(std::string(BPFPROC_FIXTURES_DIR) + "/proc").read(relative_path);
  EXPECT_TRUE(text) << text.error().message();
  return text ? *text : std::string();
}

TEST(CpuTimes, EveryCpuOfTheFixtureButNotTheTotal) {
  auto cpus = parse_cpu_times(fixture("stat"));
  ASSERT_TRUE(cpus) << cpus.error().message();
  ASSERT_EQ(cpus->size(), 2u);
  EXPECT_EQ((*cpus)[1].cpu, 1u);
  EXPECT_EQ((*cpus)[1].ticks[CpuTimes::kUser], 1721u);
  EXPECT_EQ((*cpus)[1].ticks[CpuTimes::kIdle], 34710u);
  EXPECT_EQ((*cpus)[1].ticks[CpuTimes::kIowait], 380u);
  EXPECT_EQ((*cpus)[1].ticks[CpuTimes::kSteal], 8u);
  EXPECT_EQ((*cpus)[1].ticks[CpuTimes::kGuestNice], 0u);
}

TEST(CpuTimes, AnOldKernelsFourColumnsLeaveTheRestZero) {
  auto cpus = parse_cpu_times("cpu 1 2 3 4\ncpu7 10 20 30 40\n");
  ASSERT_TRUE(cpus) << cpus.error().message();
  ASSERT_EQ(cpus->size(), 1u);
  EXPECT_EQ((*cpus)[0].cpu, 7u);
  EXPECT_EQ((*cpus)[0].ticks[CpuTimes::kIdle], 40u);
  EXPECT_EQ((*cpus)[0].ticks[CpuTimes::kIowait], 0u);
}

TEST(CpuTimes, GarbageTruncatedOrMissingIsAnError) {
  EXPECT_FALSE(parse_cpu_times(""));
  EXPECT_FALSE(parse_cpu_times("intr 1 2 3\nctxt 4\n"));           // no CPU line
  EXPECT_FALSE(parse_cpu_times("cpu0 781 0 596\n"));               // truncated
  EXPECT_FALSE(parse_cpu_times("cpu0 781 x 596 36524 12 0 9 5 0 0\n"));
  EXPECT_FALSE(parse_cpu_times("cpu0 1 2 3 4 5 6 7 8 9 10 11\n"));  // a column nobody knows
  auto error = parse_cpu_times("cpu0 1 2 3 4\ncpu1x 1 2 3 4\n");
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message().find("cpu1x"), std::string::npos) << error.error().message();
}

TEST(Meminfo, EveryFieldInBytesOrCountsAsTheKernelPrintsThem) {
  auto fields = parse_meminfo("MemTotal:       24683656 kB\nActive(anon):     1024 kB\nHugePages_Total:       3\n");
  ASSERT_TRUE(fields) << fields.error().message();
  ASSERT_EQ(fields->size(), 3u);
  EXPECT_EQ((*fields)[0].name, "MemTotal");
  EXPECT_EQ((*fields)[0].value, 24683656ull * 1024);
  EXPECT_TRUE((*fields)[0].in_bytes);
  EXPECT_EQ((*fields)[1].name, "Active(anon)");
  EXPECT_EQ((*fields)[2].value, 3u);
  EXPECT_FALSE((*fields)[2].in_bytes);
}

TEST(Meminfo, TheFixtureHasMemTotalAndMemAvailable) {
  auto fields = parse_meminfo(fixture("meminfo"));
  ASSERT_TRUE(fields) << fields.error().message();
  EXPECT_GE(fields->size(), 40u);
  EXPECT_EQ(fields->front().name, "MemTotal");
  EXPECT_EQ((*fields)[2].name, "MemAvailable");
}

TEST(Meminfo, GarbageTruncatedOrMissingIsAnError) {
  EXPECT_FALSE(parse_meminfo(""));
  EXPECT_FALSE(parse_meminfo("MemTotal:\n"));            // truncated: no value
  EXPECT_FALSE(parse_meminfo("MemTotal: 12 MB\n"));      // unknown unit
  EXPECT_FALSE(parse_meminfo("MemTotal 12 kB\n"));       // no colon
  EXPECT_FALSE(parse_meminfo("MemTotal: twelve kB\n"));
}

TEST(Loadavg, TheThreeAverages) {
  auto load = parse_loadavg(fixture("loadavg"));
  ASSERT_TRUE(load) << load.error().message();
  EXPECT_DOUBLE_EQ(load->one, 7.51);
  EXPECT_DOUBLE_EQ(load->five, 4.87);
  EXPECT_DOUBLE_EQ(load->fifteen, 4.74);
}

TEST(Loadavg, GarbageOrTruncatedIsAnError) {
  EXPECT_FALSE(parse_loadavg(""));
  EXPECT_FALSE(parse_loadavg("7.51 4.87"));
  EXPECT_FALSE(parse_loadavg("7.51 x 4.74 10/194 1473"));
  EXPECT_FALSE(parse_loadavg("7,51 4,87 4,74 10/194 1473"));  // no locale: a comma is not a point
}

TEST(Pressure, SomeAndFullTotals) {
  auto io = parse_pressure(fixture("pressure/io"), "pressure/io");
  ASSERT_TRUE(io) << io.error().message();
  EXPECT_EQ(io->some_microseconds, 111958087u);
  EXPECT_EQ(io->full_microseconds, 48965074u);
  // Kernels before 5.13 have no full line for cpu.
  auto cpu = parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=42\n", "pressure/cpu");
  ASSERT_TRUE(cpu) << cpu.error().message();
  EXPECT_EQ(cpu->some_microseconds, 42u);
  EXPECT_FALSE(cpu->full_microseconds);
}

TEST(Pressure, GarbageTruncatedOrMissingIsAnErrorNamingTheFile) {
  EXPECT_FALSE(parse_pressure("", "pressure/io"));
  EXPECT_FALSE(parse_pressure("full avg10=0.00 total=3\n", "pressure/io"));  // no some line
  EXPECT_FALSE(parse_pressure("some avg10=0.00 avg60=0.00\n", "pressure/io"));  // truncated before total
  EXPECT_FALSE(parse_pressure("some avg10=0.00 total=-3\n", "pressure/io"));
  auto error = parse_pressure("most avg10=0.00 total=3\n", "pressure/memory");
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message().find("pressure/memory"), std::string::npos) << error.error().message();
}

TEST(Diskstats, EveryDeviceWithTheCountersItsKernelPrints) {
  auto disks = parse_diskstats(fixture("diskstats"));
  ASSERT_TRUE(disks) << disks.error().message();
  ASSERT_EQ(disks->size(), 7u);
  const DiskStats& vda = (*disks)[1];
  EXPECT_EQ(vda.name, "vda");
  EXPECT_EQ(vda.major, 254u);
  EXPECT_EQ(vda.counter_count, 17u);
  EXPECT_EQ(vda.counters[DiskStats::kSectorsRead], 59052562u);
  EXPECT_EQ(vda.counters[DiskStats::kWeightedIoMilliseconds], 2840098u);
  EXPECT_EQ(vda.counters[DiskStats::kFlushMilliseconds], 774u);
  EXPECT_EQ((*disks)[4].counter_count, 15u);  // nvme0n1: no flush counters
  EXPECT_EQ((*disks)[6].counter_count, 11u);  // sdb: no discard counters either
}

TEST(Diskstats, GarbageOrTruncatedIsAnError) {
  EXPECT_TRUE(parse_diskstats(""));  // a host without block devices
  EXPECT_FALSE(parse_diskstats("   8 0 sda 1 2 3 4 5 6 7 8 9 10\n"));  // 10 counters
  EXPECT_FALSE(parse_diskstats("   8 0 sda 1 2 3 4 5 6 7 8 9 10 x\n"));
  EXPECT_FALSE(parse_diskstats("   8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n"));
  EXPECT_FALSE(parse_diskstats("   x 0 sda 1 2 3 4 5 6 7 8 9 10 11\n"));
}

TEST(NetDev, EveryInterfaceWithItsSixteenCounters) {
  auto devices = parse_net_dev(fixture("net/dev"));
  ASSERT_TRUE(devices) << devices.error().message();
  ASSERT_EQ(devices->size(), 3u);
  EXPECT_EQ((*devices)[0].name, "lo");
  const NetDevice& eth0 = (*devices)[1];
  EXPECT_EQ(eth0.receive[0], 56689996u);
  EXPECT_EQ(eth0.receive[7], 6u);   // multicast
  EXPECT_EQ(eth0.transmit[5], 10u); // colls
  EXPECT_EQ(eth0.transmit[7], 12u); // compressed
  EXPECT_EQ((*devices)[2].name, "wlan0");
  EXPECT_EQ((*devices)[2].receive[0], 18446744073709551615u);
}

TEST(NetDev, GarbageOrTruncatedIsAnError) {
  EXPECT_TRUE(parse_net_dev("Inter-| Receive | Transmit\n face |bytes|bytes\n"));  // no interface
  EXPECT_FALSE(parse_net_dev("eth0: 1 2 3 4 5 6 7 8 1 2 3 4 5 6 7\n"));  // 15 counters
  EXPECT_FALSE(parse_net_dev("eth0: 1 2 3 4 5 6 7 8 1 2 3 4 5 6 7 8 9\n"));
  EXPECT_FALSE(parse_net_dev("eth0 1 2 3 4 5 6 7 8 1 2 3 4 5 6 7 8\n"));  // no colon
  EXPECT_FALSE(parse_net_dev(": 1 2 3 4 5 6 7 8 1 2 3 4 5 6 7 8\n"));     // no name
  EXPECT_FALSE(parse_net_dev("eth0: 1 2 3 4 5 6 7 8 1 2 3 4 5 6 7 -8\n"));
}

TEST(Mounts, EveryMountWithItsMountPointUnescaped) {
  auto mounts = parse_mounts(fixture("self/mounts"));
  ASSERT_TRUE(mounts) << mounts.error().message();
  ASSERT_EQ(mounts->size(), 9u);
  EXPECT_EQ((*mounts)[2].device, "/dev/vda");
  EXPECT_EQ((*mounts)[2].mount_point, "/");
  EXPECT_EQ((*mounts)[2].filesystem_type, "ext4");
  EXPECT_FALSE((*mounts)[2].read_only());
  EXPECT_EQ((*mounts)[4].mount_point, "/srv/my data");
  EXPECT_TRUE((*mounts)[4].read_only());
}

TEST(Mounts, ReadOnlyIsAnOptionNotAPrefix) {
  EXPECT_FALSE((Mount{"d", "/", "ext4", "rw,root=x,rootcontext=y"}).read_only());
  EXPECT_TRUE((Mount{"d", "/", "ext4", "nosuid,ro"}).read_only());
  EXPECT_EQ(parse_mounts("a /x\\134y\\011z ext4 rw 0 0\n")->front().mount_point, "/x\\y\tz");
  EXPECT_EQ(parse_mounts("a /x\\9y ext4 rw 0 0\n")->front().mount_point, "/x\\9y");  // not an octal escape
}

TEST(Mounts, TruncatedLinesAreAnError) {
  EXPECT_TRUE(parse_mounts(""));
  EXPECT_FALSE(parse_mounts("/dev/vda / ext4\n"));
}

TEST(UdevData, PropertiesAreTheELinesOnly) {
  const auto properties = parse_udev_properties(
      "S:disk/by-id/x\nE:ID_MODEL=SSD 1TB\nE:ID_PATH=pci-0000:00:17.0-ata-2\nE:EMPTY=\nE:=no key\nE:NOEQUALS\nG:systemd\n"
      "E:ID_MODEL=later wins");
  EXPECT_EQ(properties, (std::map<std::string, std::string>{
                            {"EMPTY", ""}, {"ID_MODEL", "later wins"}, {"ID_PATH", "pci-0000:00:17.0-ata-2"}}));
  EXPECT_TRUE(parse_udev_properties("").empty());
}

}  // namespace
}  // namespace bpfproc
