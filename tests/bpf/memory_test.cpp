// Group memory from smaps_rollup, read by the refresher for a process found by the BPF iterator.
#include "bpf_test_support.h"

namespace bpfproc::testing {
namespace {

TEST(Memory, GroupShowsTheMemoryItsProcessTouched) {
  REQUIRE_BPF_OR_SKIP();
  ExporterOptions options;
  const std::string python = program_as("/usr/bin/python3", "hog");
  options.collectors.config = config_from("process_names: [{name: hog, comm: [" + comm_of_tool(python) + "]}]\n");
  options.collectors.enabled["memory"] = true;
  auto exporter = Exporter::open(std::move(options));
  ASSERT_TRUE(exporter.ok()) << exporter.error().message();
  ProcessTracker& monitor = (*exporter)->tracker();

  // 64 MiB of private, touched memory (bytearray zero-fills it), held until stdin closes.
  Child hog = Child::spawn({python, "-c",
                            "import sys; b = bytearray(64 << 20); print('ready', flush=True); sys.stdin.read()"});
  ASSERT_EQ(hog.read_line(), "ready");
  monitor.collect_groups();  // the iterator finds it and groups it
  (*exporter)->collectors().refresh_now();
  const auto groups = monitor.collect_groups();
  const GroupTotals* group = find_group(groups, "hog");
  ASSERT_NE(group, nullptr);
  ASSERT_TRUE(group->has_memory);
  constexpr std::uint64_t kTouched = 64ull << 20;
  EXPECT_GE(group->memory.uss, kTouched);
  EXPECT_LT(group->memory.uss, kTouched + (64ull << 20)) << "python itself is far below another 64 MiB";
  EXPECT_GE(group->memory.pss_anon, kTouched);
  EXPECT_GE(group->memory.rss, group->memory.pss);
  EXPECT_GE(group->memory.pss, group->memory.uss);
  // The mm counters, read by the iterator at each collection: the touched memory is anon.
  EXPECT_GE(group->gauges.resident_anon_bytes, kTouched);
  EXPECT_EQ(group->gauges.resident_bytes, group->gauges.resident_anon_bytes + group->gauges.resident_file_bytes +
                                              group->gauges.resident_shmem_bytes);
  EXPECT_EQ(hog.finish(), 0);

  // Gone: its memory leaves the group's gauges with its exit record, which the sweep after the
  // final switch may send a little after the reap.
  const auto after_exit = collect_until_exits(monitor, "hog", 1);
  const GroupTotals* gone = find_group(after_exit, "hog");
  ASSERT_NE(gone, nullptr);
  EXPECT_FALSE(gone->has_memory);
  EXPECT_EQ(gone->processes, 0u);
  EXPECT_EQ(gone->exits, 1u);
}

}  // namespace
}  // namespace bpfproc::testing
