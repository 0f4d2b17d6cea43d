// host.disk: I/O counters per block device from /proc/diskstats, node_exporter's node_disk_*
// with its device filter (--collector.host.disk.device-exclude/-include; by default no partitions
// of sd/hd/vd/xvd/nvme disks, no ram, loop or fd devices), and node_disk_info with the device's
// model, serial, path, wwn and revision from udev's database (--path.udev.data), empty where it
// has no record, as node_exporter serves them.
#include <unistd.h>

#include <map>

#include <spdlog/spdlog.h>

#include "bpfproc/collectors/collector.h"
#include "bpfproc/collectors/host/host_source.h"
#include "bpfproc/procfs/diskstats.h"
#include "bpfproc/procfs/udev_data.h"
#include "bpfproc/util/whole_file.h"

namespace bpfproc {
namespace {

constexpr double kSectorBytes = 512;         // /proc/diskstats counts 512-byte sectors on every device
constexpr double kSecondsPerMillisecond = 0.001;

struct DiskFamily {
  DiskStats::Field field;
  const char* name;
  const char* help;
  HostFamily::Type type;
  double scale;
};

constexpr HostFamily::Type kCounter = HostFamily::Type::kCounter;
const DiskFamily kFamilies[] = {
    {DiskStats::kReadsCompleted, "node_disk_reads_completed_total", "Reads completed.", kCounter, 1},
    {DiskStats::kReadsMerged, "node_disk_reads_merged_total", "Adjacent reads merged into one.", kCounter, 1},
    {DiskStats::kSectorsRead, "node_disk_read_bytes_total", "Bytes read.", kCounter, kSectorBytes},
    {DiskStats::kReadMilliseconds, "node_disk_read_time_seconds_total", "Seconds all reads took.", kCounter,
     kSecondsPerMillisecond},
    {DiskStats::kWritesCompleted, "node_disk_writes_completed_total", "Writes completed.", kCounter, 1},
    {DiskStats::kWritesMerged, "node_disk_writes_merged_total", "Adjacent writes merged into one.", kCounter, 1},
    {DiskStats::kSectorsWritten, "node_disk_written_bytes_total", "Bytes written.", kCounter, kSectorBytes},
    {DiskStats::kWriteMilliseconds, "node_disk_write_time_seconds_total", "Seconds all writes took.", kCounter,
     kSecondsPerMillisecond},
    {DiskStats::kIosInProgress, "node_disk_io_now", "I/Os in progress.", HostFamily::Type::kGauge, 1},
    {DiskStats::kIoMilliseconds, "node_disk_io_time_seconds_total", "Seconds the device had I/O in progress.",
     kCounter, kSecondsPerMillisecond},
    {DiskStats::kWeightedIoMilliseconds, "node_disk_io_time_weighted_seconds_total",
     "Seconds of I/O in progress weighted by the number in progress.", kCounter, kSecondsPerMillisecond},
    {DiskStats::kDiscardsCompleted, "node_disk_discards_completed_total", "Discards completed.", kCounter, 1},
    {DiskStats::kDiscardsMerged, "node_disk_discards_merged_total", "Adjacent discards merged into one.", kCounter, 1},
    // Sectors, not bytes: node_exporter's name says so.
    {DiskStats::kSectorsDiscarded, "node_disk_discarded_sectors_total", "512-byte sectors discarded.", kCounter, 1},
    {DiskStats::kDiscardMilliseconds, "node_disk_discard_time_seconds_total", "Seconds all discards took.", kCounter,
     kSecondsPerMillisecond},
    {DiskStats::kFlushesCompleted, "node_disk_flush_requests_total", "Flush requests completed.", kCounter, 1},
    {DiskStats::kFlushMilliseconds, "node_disk_flush_requests_time_seconds_total", "Seconds all flush requests took.",
     kCounter, kSecondsPerMillisecond},
};

class HostDiskCollector : public HostSourceCollector {
 public:
  explicit HostDiskCollector(const CollectorOptions& options)
      : HostSourceCollector(options, "host.disk"), devices_(options.host_filters.disk), udev_data_(options.udev_data_root) {
    // As node_exporter: without udev's database (a container, a host without udev) the info
    // labels stay empty; said once.
    if (::access(udev_data_.c_str(), R_OK | X_OK) != 0)
      spdlog::info("collector host.disk: no udev database at {}; node_disk_info has only device, major and minor",
                   udev_data_);
  }

  std::uint64_t collect(ExporterSnapshot& snapshot) override {
    std::uint64_t errors = 0;
    auto disks = read("diskstats", parse_diskstats, errors);
    if (!disks) return errors;
    succeeded();
    std::vector<HostFamily> families;
    for (const DiskFamily& family : kFamilies)
      families.push_back(host_family(family.name, std::string(family.help) + " (/proc/diskstats)", family.type));
    HostFamily info = host_family("node_disk_info", "Info of /sys/block/<block_device>.", HostFamily::Type::kGauge);
    for (const DiskStats& disk : *disks) {
      if (!devices_.selected(disk.name)) continue;
      info.samples.push_back({info_labels(disk), 1});
      for (std::size_t index = 0; index < std::size(kFamilies); ++index) {
        // Older kernels print fewer counters: those families have no sample for the device.
        if (static_cast<std::size_t>(kFamilies[index].field) >= disk.counter_count) continue;
        families[index].samples.push_back(
            {{{"device", disk.name}}, static_cast<double>(disk.counters[kFamilies[index].field]) * kFamilies[index].scale});
      }
    }
    families.push_back(std::move(info));
    add_host_families(snapshot, std::move(families));
    return 0;
  }

 private:
  // node_disk_info's labels, in node_exporter's (alphabetical) order. The serial printed on the
  // disk's label is SCSI_IDENT_SERIAL where udev has it, else ID_SERIAL_SHORT.
  std::vector<std::pair<std::string, std::string>> info_labels(const DiskStats& disk) const {
    const std::string major = std::to_string(disk.major), minor = std::to_string(disk.minor);
    std::map<std::string, std::string> udev;
    if (auto record = read_whole_file(udev_data_ + "/b" + major + ":" + minor)) udev = parse_udev_properties(*record);
    const auto property = [&](const char* key) {
      const auto found = udev.find(key);
      return found == udev.end() ? std::string() : found->second;
    };
    std::string serial = property("SCSI_IDENT_SERIAL");
    if (serial.empty()) serial = property("ID_SERIAL_SHORT");
    return {{"device", disk.name},
            {"major", major},
            {"minor", minor},
            {"model", property("ID_MODEL")},
            {"path", property("ID_PATH")},
            {"revision", property("ID_REVISION")},
            {"serial", serial},
            {"wwn", property("ID_WWN")}};
  }

  DeviceSelector devices_;
  std::string udev_data_;
};

}  // namespace

CollectorDefinition host_disk_collector() {
  return host_collector_definition<HostDiskCollector>(
      "host.disk", "Host disk I/O per device from /proc/diskstats, node_exporter's node_disk_*");
}

}  // namespace bpfproc
