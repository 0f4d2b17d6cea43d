// The host collectors (--collector.host.*) on tests/fixtures/proc: node_exporter's names, labels,
// units and filters; a missing or broken source is an error of that collector only, and never
// a partial family; --collector.host switches them all unless their own flag is given.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "bpfproc/collectors/collector_registry.h"

namespace bpfproc {
namespace {

const std::string kFixtureProc = std::string(BPFPROC_FIXTURES_DIR) + "/proc";

struct Collected {
  ExporterSnapshot snapshot;
  std::uint64_t errors = 0;
};

Collected collect_with(const std::string& name, const CollectorOptions& options) {
  Collected collected;
  for (const CollectorDefinition& definition : builtin_collectors()) {
    if (definition.name != name) continue;
    CollectorStats stats(name);
    CollectorEnvironment environment{options, nullptr, stats};
    auto collector = definition.create(environment);
    EXPECT_TRUE(collector) << collector.error().message();
    if (collector) collected.errors = (*collector)->collect(collected.snapshot);
    return collected;
  }
  ADD_FAILURE() << "no collector " << name;
  return collected;
}

Collected collect(const std::string& name, const std::string& procfs_root = kFixtureProc, std::string rootfs = "/") {
  CollectorOptions options;
  options.procfs_root = procfs_root;
  options.rootfs_root = std::move(rootfs);
  return collect_with(name, options);
}

// With these filters, on the fixture procfs.
Collected collect_filtered(const std::string& name, const HostFilters& filters) {
  CollectorOptions options;
  options.procfs_root = kFixtureProc;
  options.host_filters = filters;
  return collect_with(name, options);
}

const HostFamily* family(const ExporterSnapshot& snapshot, const std::string& name) {
  for (const HostFamily& candidate : snapshot.host_families)
    if (candidate.name == name) return &candidate;
  return nullptr;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

std::optional<double> value(const ExporterSnapshot& snapshot, const std::string& name, const Labels& labels = {}) {
  const HostFamily* found = family(snapshot, name);
  if (found == nullptr) return std::nullopt;
  for (const HostSample& sample : found->samples)
    if (sample.labels == labels) return sample.value;
  return std::nullopt;
}

// The values of LABEL over the samples of family NAME, in order.
std::vector<std::string> label_values(const ExporterSnapshot& snapshot, const std::string& name, const std::string& label) {
  std::vector<std::string> values;
  const HostFamily* found = family(snapshot, name);
  if (found == nullptr) return values;
  for (const HostSample& sample : found->samples)
    for (const auto& [key, value] : sample.labels)
      if (key == label) values.push_back(value);
  return values;
}

TEST(HostCollectors, AllOffByDefaultInTheGroupHost) {
  for (const CollectorDefinition& definition : builtin_collectors()) {
    if (definition.name.rfind("host.", 0) != 0) continue;
    EXPECT_FALSE(definition.enabled_by_default) << definition.name;
    EXPECT_EQ(definition.group, "host") << definition.name;
  }
}

TEST(HostCollectors, TheGroupFlagSwitchesThoseWithoutTheirOwnFlag) {
  std::map<std::string, bool> collectors{{"host.pressure", false}, {"host.cpu", false}, {"tasks", true}};
  CollectorRegistry::apply_group_flag(builtin_collectors(), "host", true, {"host.pressure"}, collectors);
  EXPECT_TRUE(collectors["host.cpu"]);
  EXPECT_TRUE(collectors["host.filesystem"]);
  EXPECT_FALSE(collectors["host.pressure"]);  // --no-collector.host.pressure wins
  EXPECT_TRUE(collectors["tasks"]);           // not in the group
  CollectorRegistry::apply_group_flag(builtin_collectors(), "host", false, {}, collectors);
  EXPECT_FALSE(collectors["host.cpu"]);
  EXPECT_TRUE(collectors["tasks"]);
}

TEST(HostCollectors, CpuSecondsPerCpuAndModeInUserHz) {
  const Collected cpu = collect("host.cpu");
  EXPECT_EQ(cpu.errors, 0u);
  ASSERT_NE(family(cpu.snapshot, "node_cpu_seconds_total"), nullptr);
  EXPECT_EQ(family(cpu.snapshot, "node_cpu_seconds_total")->samples.size(), 16u);  // 2 CPUs, 8 modes
  EXPECT_EQ(family(cpu.snapshot, "node_cpu_seconds_total")->type, HostFamily::Type::kCounter);
  EXPECT_DOUBLE_EQ(*value(cpu.snapshot, "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "user"}}), 17.21);
  EXPECT_DOUBLE_EQ(*value(cpu.snapshot, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}), 365.24);
  EXPECT_DOUBLE_EQ(*value(cpu.snapshot, "node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "steal"}}), 0.08);
  EXPECT_DOUBLE_EQ(*value(cpu.snapshot, "node_cpu_guest_seconds_total", {{"cpu", "0"}, {"mode", "nice"}}), 0);
}

TEST(HostCollectors, MemoryFieldsUnderNodeExportersNames) {
  const Collected memory = collect("host.memory");
  EXPECT_EQ(memory.errors, 0u);
  EXPECT_GT(*value(memory.snapshot, "node_memory_MemTotal_bytes"), 0);
  EXPECT_TRUE(value(memory.snapshot, "node_memory_MemAvailable_bytes"));
  EXPECT_TRUE(value(memory.snapshot, "node_memory_Active_anon_bytes"));  // Active(anon)
  EXPECT_TRUE(value(memory.snapshot, "node_memory_SwapTotal_bytes"));
  EXPECT_TRUE(value(memory.snapshot, "node_memory_HugePages_Total"));    // a count: no _bytes
  EXPECT_FALSE(value(memory.snapshot, "node_memory_HugePages_Total_bytes"));
}

TEST(HostCollectors, LoadAverages) {
  const Collected load = collect("host.load");
  EXPECT_EQ(load.errors, 0u);
  EXPECT_DOUBLE_EQ(*value(load.snapshot, "node_load1"), 7.51);
  EXPECT_DOUBLE_EQ(*value(load.snapshot, "node_load15"), 4.74);
}

TEST(HostCollectors, PressureInSecondsWithoutCpuStalled) {
  const Collected pressure = collect("host.pressure");
  EXPECT_EQ(pressure.errors, 0u);
  EXPECT_DOUBLE_EQ(*value(pressure.snapshot, "node_pressure_cpu_waiting_seconds_total"), 19533.434933);
  EXPECT_DOUBLE_EQ(*value(pressure.snapshot, "node_pressure_io_stalled_seconds_total"), 48.965074);
  EXPECT_DOUBLE_EQ(*value(pressure.snapshot, "node_pressure_memory_waiting_seconds_total"), 2.5);
  EXPECT_DOUBLE_EQ(*value(pressure.snapshot, "node_pressure_memory_stalled_seconds_total"), 1.25);
  EXPECT_EQ(family(pressure.snapshot, "node_pressure_cpu_stalled_seconds_total"), nullptr);  // not in node_exporter 1.5
}

// A procfs copy without some files: the collector fails alone, serves nothing, and never throws.
class WithoutFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) / ("host-proc-" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    // copy_symlinks: the fixture has links whose targets do not exist (exe).
    std::filesystem::copy(kFixtureProc, root_,
                          std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
};

TEST_F(WithoutFiles, NoPressureDirectoryServesNothingAndCountsAnError) {
  std::filesystem::remove_all(root_ / "pressure");
  const Collected pressure = collect("host.pressure", root_);
  EXPECT_EQ(pressure.errors, 1u);
  EXPECT_TRUE(pressure.snapshot.host_families.empty());
}

TEST_F(WithoutFiles, OnePressureFileMissingServesNoneOfThem) {
  std::filesystem::remove(root_ / "pressure" / "memory");
  const Collected pressure = collect("host.pressure", root_);
  EXPECT_EQ(pressure.errors, 1u);
  EXPECT_TRUE(pressure.snapshot.host_families.empty());
}

TEST_F(WithoutFiles, EveryHostCollectorFailsAloneOnAMissingOrGarbageSource) {
  for (const char* file : {"stat", "meminfo", "loadavg", "diskstats", "net/dev", "self/mounts"}) {
    std::ofstream(root_ / file) << "garbage\n";
  }
  std::filesystem::remove(root_ / "pressure" / "io");
  std::ofstream(root_ / "pressure" / "io") << "some avg10=0.00\n";
  for (const char* name : {"host.cpu", "host.memory", "host.load", "host.pressure", "host.disk", "host.network",
                           "host.filesystem"}) {
    const Collected collected = collect(name, root_);
    EXPECT_EQ(collected.errors, 1u) << name;
    EXPECT_TRUE(collected.snapshot.host_families.empty()) << name;
  }
  for (const char* file : {"stat", "meminfo", "loadavg", "diskstats", "net/dev", "self/mounts"})
    std::filesystem::remove(root_ / file);
  for (const char* name : {"host.cpu", "host.memory", "host.load", "host.disk", "host.network", "host.filesystem"})
    EXPECT_EQ(collect(name, root_).errors, 1u) << name;
}

TEST_F(WithoutFiles, CpuCountersDoNotGoBackUnlessTheCpuCameBackOnline) {
  CollectorOptions options;
  options.procfs_root = root_;
  CollectorStats stats("host.cpu");
  CollectorEnvironment environment{options, nullptr, stats};
  std::unique_ptr<Collector> collector;
  for (const CollectorDefinition& definition : builtin_collectors())
    if (definition.name == "host.cpu") collector = std::move(*definition.create(environment));
  ASSERT_NE(collector, nullptr);
  const auto idle_after = [&](const char* stat) {
    std::ofstream(root_ / "stat") << stat;
    ExporterSnapshot snapshot;
    EXPECT_EQ(collector->collect(snapshot), 0u);
    return *value(snapshot, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}});
  };
  EXPECT_DOUBLE_EQ(idle_after("cpu0 100 0 100 1000 50 0 0 0 0 0\n"), 10.0);
  EXPECT_DOUBLE_EQ(idle_after("cpu0 100 0 100 999 50 0 0 0 0 0\n"), 10.0);   // a tick back: kept
  EXPECT_DOUBLE_EQ(idle_after("cpu0 100 0 100 1003 50 0 0 0 0 0\n"), 10.03);
  EXPECT_DOUBLE_EQ(idle_after("cpu0 5 0 5 400 1 0 0 0 0 0\n"), 4.0);        // 6 s back: offline and back
}

TEST(HostCollectors, DisksWithNodeExportersFilterAndUnits) {
  const Collected disk = collect("host.disk");
  EXPECT_EQ(disk.errors, 0u);
  const Labels vda{{"device", "vda"}};
  EXPECT_DOUBLE_EQ(*value(disk.snapshot, "node_disk_read_bytes_total", vda), 59052562.0 * 512);
  EXPECT_DOUBLE_EQ(*value(disk.snapshot, "node_disk_read_time_seconds_total", vda), 1340.611);
  EXPECT_DOUBLE_EQ(*value(disk.snapshot, "node_disk_io_now", vda), 0);
  EXPECT_DOUBLE_EQ(*value(disk.snapshot, "node_disk_discarded_sectors_total", vda), 322137224);
  EXPECT_DOUBLE_EQ(*value(disk.snapshot, "node_disk_flush_requests_time_seconds_total", vda), 0.774);
  EXPECT_EQ(family(disk.snapshot, "node_disk_io_now")->type, HostFamily::Type::kGauge);
  // Partitions, loop devices: left out; zram, nvme0n1 and sdb kept.
  for (const char* device : {"vda1", "loop0", "nvme0n1p1"})
    EXPECT_FALSE(value(disk.snapshot, "node_disk_reads_completed_total", {{"device", device}})) << device;
  for (const char* device : {"zram0", "nvme0n1", "sdb"})
    EXPECT_TRUE(value(disk.snapshot, "node_disk_reads_completed_total", {{"device", device}})) << device;
  // Counters a kernel does not print have no sample.
  EXPECT_TRUE(value(disk.snapshot, "node_disk_discards_completed_total", {{"device", "nvme0n1"}}));
  EXPECT_FALSE(value(disk.snapshot, "node_disk_flush_requests_total", {{"device", "nvme0n1"}}));
  EXPECT_FALSE(value(disk.snapshot, "node_disk_discards_completed_total", {{"device", "sdb"}}));
}

TEST(HostCollectors, NetworkCountersWithoutLoopback) {
  const Collected network = collect("host.network");
  EXPECT_EQ(network.errors, 0u);
  EXPECT_EQ(network.snapshot.host_families.size(), 16u);
  const Labels eth0{{"device", "eth0"}};
  EXPECT_DOUBLE_EQ(*value(network.snapshot, "node_network_receive_bytes_total", eth0), 56689996);
  EXPECT_DOUBLE_EQ(*value(network.snapshot, "node_network_receive_frame_total", eth0), 4);
  EXPECT_DOUBLE_EQ(*value(network.snapshot, "node_network_transmit_colls_total", eth0), 10);
  EXPECT_DOUBLE_EQ(*value(network.snapshot, "node_network_transmit_carrier_total", eth0), 11);
  EXPECT_TRUE(value(network.snapshot, "node_network_receive_packets_total", {{"device", "wlan0"}}));
  EXPECT_FALSE(value(network.snapshot, "node_network_receive_bytes_total", {{"device", "lo"}}));
}

TEST(HostCollectors, FilesystemsWithoutPseudoOnesAndExcludedMountPoints) {
  // The fixture's self/mounts (there is no 1/mounts in it) names mount points of this machine
  // only for "/" and "/tmp"; the others fail statfs under a rootfs that has none of them.
  const Collected filesystem = collect("host.filesystem");
  EXPECT_EQ(filesystem.errors, 0u);
  const HostFamily* device_error = family(filesystem.snapshot, "node_filesystem_device_error");
  ASSERT_NE(device_error, nullptr);
  std::vector<std::string> mount_points;
  for (const HostSample& sample : device_error->samples) mount_points.push_back(sample.labels[2].second);
  // proc, sysfs, cgroup2, overlay and /run are left out; /tmp is mounted twice but served once.
  EXPECT_EQ(mount_points, (std::vector<std::string>{"/", "/srv/my data", "/tmp"}));
  const Labels root{{"device", "/dev/vda"}, {"fstype", "ext4"}, {"mountpoint", "/"}};
  EXPECT_EQ(*value(filesystem.snapshot, "node_filesystem_device_error", root), 0);
  EXPECT_GT(*value(filesystem.snapshot, "node_filesystem_size_bytes", root), 0);
  EXPECT_EQ(*value(filesystem.snapshot, "node_filesystem_readonly", root), 0);
  const Labels missing{{"device", "/dev/vdb"}, {"fstype", "xfs"}, {"mountpoint", "/srv/my data"}};
  EXPECT_EQ(*value(filesystem.snapshot, "node_filesystem_device_error", missing), 1);
  EXPECT_FALSE(value(filesystem.snapshot, "node_filesystem_size_bytes", missing));
}

TEST(HostCollectors, FilesystemsUnderARootfsAreStattedThere) {
  const Collected filesystem = collect("host.filesystem", kFixtureProc, "/nonexistent-rootfs");
  EXPECT_EQ(filesystem.errors, 0u);
  const Labels root{{"device", "/dev/vda"}, {"fstype", "ext4"}, {"mountpoint", "/"}};
  EXPECT_EQ(*value(filesystem.snapshot, "node_filesystem_device_error", root), 1);
}

TEST(HostCollectors, DeviceFiltersIncludeOrExcludeAsTheirFlagsSay) {
  HostFilters filters;
  filters.disk = {"", "^(vda|sdb|loop0)$"};   // an include replaces the default exclude
  filters.network = {"^eth", ""};
  EXPECT_EQ(label_values(collect_filtered("host.disk", filters).snapshot, "node_disk_reads_completed_total", "device"),
            (std::vector<std::string>{"loop0", "vda", "sdb"}));
  EXPECT_EQ(label_values(collect_filtered("host.network", filters).snapshot, "node_network_receive_bytes_total", "device"),
            (std::vector<std::string>{"lo", "wlan0"}));
  filters.disk = {"^(vda|sdb)$", "^(vda|sdb|loop0)$"};  // both: included and not excluded
  EXPECT_EQ(label_values(collect_filtered("host.disk", filters).snapshot, "node_disk_reads_completed_total", "device"),
            (std::vector<std::string>{"loop0"}));
}

TEST(HostCollectors, FilesystemFiltersReplaceTheDefaults) {
  HostFilters filters;
  filters.mount_points_exclude = "^/tmp$";
  filters.fs_types_exclude = "^(proc|sysfs|cgroup2|overlay|xfs)$";
  const Collected filesystem = collect_filtered("host.filesystem", filters);
  // /run is back (the default left out /run), /tmp and the xfs mount are left out.
  EXPECT_EQ(label_values(filesystem.snapshot, "node_filesystem_device_error", "mountpoint"),
            (std::vector<std::string>{"/", "/run"}));
  filters.mount_points_exclude.clear();  // empty: nothing is left out for its mount point
  filters.fs_types_exclude.clear();
  EXPECT_EQ(label_values(collect_filtered("host.filesystem", filters).snapshot, "node_filesystem_device_error", "mountpoint")
                .size(),
            8u)
      << "9 lines, /tmp twice";
}

TEST(HostCollectors, APatternThatIsNotARegularExpressionNamesItsFlag) {
  EXPECT_TRUE(check_host_filters(HostFilters{}, "--collector.host"));
  HostFilters filters;
  filters.network.include = "(eth";
  const Status checked = check_host_filters(filters, "--collector.host");
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().message().rfind("--collector.host.network.device-include '(eth': not a regular expression: ", 0),
            0u)
      << checked.error().message();
}

TEST(HostCollectors, DiskInfoCarriesUdevsPropertiesWhereItHasARecord) {
  CollectorOptions options;
  options.procfs_root = kFixtureProc;
  options.udev_data_root = std::string(BPFPROC_FIXTURES_DIR) + "/udev/data";
  const Collected disk = collect_with("host.disk", options);
  const Labels sdb{{"device", "sdb"},    {"major", "8"},         {"minor", "0"},
                   {"model", "EXAMPLE_SSD_500GB"}, {"path", "pci-0000:00:17.0-ata-2"}, {"revision", "FW01"},
                   {"serial", "LABEL0000000001"}, {"wwn", "0x5000000000000001"}};
  EXPECT_EQ(value(disk.snapshot, "node_disk_info", sdb), 1.0) << "SCSI_IDENT_SERIAL is the serial when udev has it";
  const Labels nvme{{"device", "nvme0n1"},  {"major", "259"}, {"minor", "0"},
                    {"model", "EXAMPLE NVMe 1TB"}, {"path", "pci-0000:01:00.0-nvme-1"}, {"revision", ""},
                    {"serial", "NV0000000002"}, {"wwn", ""}};
  EXPECT_EQ(value(disk.snapshot, "node_disk_info", nvme), 1.0) << "else ID_SERIAL_SHORT";
  const Labels vda{{"device", "vda"}, {"major", "254"}, {"minor", "0"}, {"model", ""},
                   {"path", ""},      {"revision", ""}, {"serial", ""}, {"wwn", ""}};
  EXPECT_EQ(value(disk.snapshot, "node_disk_info", vda), 1.0) << "no record: empty labels";
  EXPECT_EQ(label_values(disk.snapshot, "node_disk_info", "device"),
            (std::vector<std::string>{"vda", "zram0", "nvme0n1", "sdb"}))
      << "the device filter applies";
}

}  // namespace
}  // namespace bpfproc
