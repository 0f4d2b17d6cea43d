#include "bpfproc/app/migration_hints.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

TEST(MigrationHints, EveryProcessExporterFlagGetsOneLineWithOneDashOrTwo) {
  // process-exporter 0.7.10's -h lists these.
  for (const char* flag : {"children", "config.path", "debug", "gather-smaps", "man", "namemapping", "procfs",
                           "procnames", "recheck"}) {
    for (const std::string dashes : {"-", "--"}) {
      const auto hint = process_exporter_hint(dashes + flag + "=x");
      ASSERT_TRUE(hint) << dashes << flag;
      EXPECT_TRUE(hint->starts_with(dashes + flag + " is a process-exporter flag: ")) << *hint;
      EXPECT_EQ(hint->find('\n'), std::string::npos);
    }
  }
  EXPECT_EQ(*process_exporter_hint("-config.path"),
            "-config.path is a process-exporter flag: use --config.file (the same process_names format)");
}

TEST(MigrationHints, BpfprocsOwnFlagsAndOtherArgumentsGetNone) {
  EXPECT_TRUE(process_exporter_hint("-web.listen-address"));
  EXPECT_FALSE(process_exporter_hint("--web.listen-address"));
  EXPECT_FALSE(process_exporter_hint("--web.telemetry-path=/m"));
  EXPECT_FALSE(process_exporter_hint("--version"));
  EXPECT_TRUE(process_exporter_hint("-version"));
  EXPECT_FALSE(process_exporter_hint("--config.file"));
  EXPECT_FALSE(process_exporter_hint("threads"));
  EXPECT_EQ(*process_exporter_hint("-threads"),
            "-threads is a process-exporter flag: use --threads (two dashes; off by default: a series or more per "
            "thread name)");
  EXPECT_FALSE(process_exporter_hint("--threads"));
  EXPECT_FALSE(process_exporter_hint("-"));
}

TEST(MigrationHints, MeasuresCommandIsNotLookedAt) {
  EXPECT_TRUE(first_process_exporter_hint({"--log.level", "debug", "-threads"}));
  EXPECT_FALSE(first_process_exporter_hint({"measure", "--", "grep", "-recheck"}));
  EXPECT_FALSE(first_process_exporter_hint({"measure", "sh", "-children"}));
  EXPECT_FALSE(first_process_exporter_hint({"--", "-procfs"}));
}

}  // namespace
}  // namespace bpfproc
