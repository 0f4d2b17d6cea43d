// The host families (--collector.host) as written: node_exporter's text for its names, labels
// escaped, counted in bpfproc_exporter_series, absent when no host collector ran.
#include "bpfproc/exposition/host_families.h"

#include <gtest/gtest.h>

#include "bpfproc/exposition/text_writer.h"
#include "fixed_snapshot.h"

namespace bpfproc {
namespace {

ExporterSnapshot with_host_families() {
  ExporterSnapshot snapshot = fixed_snapshot();
  snapshot.host_families.push_back({"node_load1", "Load average over 1 minute.", HostFamily::Type::kGauge, {{{}, 0.25}}});
  snapshot.host_families.push_back({"node_filesystem_avail_bytes",
                                    "Free bytes.",
                                    HostFamily::Type::kGauge,
                                    {{{{"device", "/dev/vda"}, {"fstype", "ext4"}, {"mountpoint", "/srv/a \"b\"\\c"}},
                                      1073741824}}});
  snapshot.host_families.push_back({"node_cpu_seconds_total", "CPU seconds.", HostFamily::Type::kCounter,
                                    {{{{"cpu", "0"}, {"mode", "idle"}}, 365.24}, {{{"cpu", "0"}, {"mode", "user"}}, 7.81}}});
  return snapshot;
}

TEST(HostFamilies, WrittenAsNodeExporterNamesThem) {
  std::string text;
  TextWriter writer(text);
  write_host_families(with_host_families(), writer);
  EXPECT_EQ(text,
            "# HELP node_load1 Load average over 1 minute.\n"
            "# TYPE node_load1 gauge\n"
            "node_load1 0.25\n"
            "# HELP node_filesystem_avail_bytes Free bytes.\n"
            "# TYPE node_filesystem_avail_bytes gauge\n"
            "node_filesystem_avail_bytes{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/srv/a \\\"b\\\"\\\\c\"} "
            "1073741824\n"
            "# HELP node_cpu_seconds_total CPU seconds.\n"
            "# TYPE node_cpu_seconds_total counter\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 365.24\n"
            "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 7.81\n");
  EXPECT_EQ(writer.series(), 4u);
}

TEST(HostFamilies, InTheWholeExpositionAndItsSeriesCount) {
  const std::string without = exposition_text(fixed_snapshot(), kReader);
  EXPECT_EQ(without.find("node_"), std::string::npos);
  const std::string with = exposition_text(with_host_families(), kReader);
  EXPECT_NE(with.find("node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 7.81\n"), std::string::npos);
  // bpfproc_exporter_series counts the 4 host samples too.
  const auto series = [](const std::string& text) {
    const std::size_t at = text.rfind("bpfproc_exporter_series ");
    return std::stoul(text.substr(at + std::string("bpfproc_exporter_series ").size()));
  };
  EXPECT_EQ(series(with), series(without) + 4);
}

}  // namespace
}  // namespace bpfproc
