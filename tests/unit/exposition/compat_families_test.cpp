// process-exporter's names for the groups (--compat.process-exporter), against a golden file; the
// e2e test process_exporter_parity.sh checks the same names and labels against the real one.
#include "bpfproc/exposition/compat_families.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "bpfproc/exposition/text_writer.h"
#include "bpfproc/util/whole_file.h"
#include "fixed_snapshot.h"

namespace bpfproc {
namespace {

std::string compat_text(const ExporterSnapshot& snapshot) {
  std::string text;
  TextWriter writer(text);
  write_compat_families(snapshot, writer);
  return text;
}

TEST(CompatFamilies, MatchTheGoldenFile) {
  ExporterSnapshot snapshot = fixed_snapshot();
  snapshot.process_exporter_compat = true;
  const std::string text = compat_text(snapshot);
  const std::string path = std::string(BPFPROC_GOLDEN_DIR) + "/compat.prom";
  if (const char* update = std::getenv("BPFPROC_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1")
    std::ofstream(path) << text;
  auto expected = read_whole_file(path);
  ASSERT_TRUE(expected) << expected.error().message() << "; run scripts/update-golden";
  EXPECT_EQ(text, *expected);
}

TEST(CompatFamilies, OffByDefaultAndInTheWholeExpositionWhenOn) {
  ExporterSnapshot snapshot = fixed_snapshot();
  EXPECT_EQ(compat_text(snapshot), "");
  EXPECT_EQ(exposition_text(snapshot, kReader).find("namedprocess_"), std::string::npos);
  snapshot.process_exporter_compat = true;
  const std::string text = exposition_text(snapshot, kReader);
  EXPECT_NE(text.find("namedprocess_namegroup_num_procs{groupname=\"nginx\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("namedprocess_namegroup_context_switches_total{groupname=\"nginx\",ctxswitchtype=\"nonvoluntary\"} 310\n"),
            std::string::npos);
  EXPECT_NE(text.find("namedprocess_namegroup_states{groupname=\"nginx\",state=\"Sleeping\"} 3\n"), std::string::npos);
}

}  // namespace
}  // namespace bpfproc
