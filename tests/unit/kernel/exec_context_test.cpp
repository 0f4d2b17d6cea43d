#include "bpfproc/kernel/exec_context.h"

#include <gtest/gtest.h>

#include <cstring>

#include "bpf/task_record.h"

namespace bpfproc {
namespace {

using namespace std::string_literals;

// A record as the exec program sends it: the header, then exe, cwd and cgroups back to back.
std::string record(const std::string& exe, const std::string& cwd, const std::string& cgroups, std::uint32_t flags = 0) {
  exec_context_event header{};
  header.kind = EVENT_EXEC_CONTEXT;
  header.pid = 4242;
  header.start_ns = 123'000'000;
  header.exe_size = static_cast<std::uint32_t>(exe.size());
  header.cwd_size = static_cast<std::uint32_t>(cwd.size());
  header.cgroups_size = static_cast<std::uint32_t>(cgroups.size());
  header.flags = flags;
  std::string bytes(sizeof header, '\0');
  std::memcpy(bytes.data(), &header, sizeof header);
  return bytes + exe + cwd + cgroups;
}

TEST(ExecContext, TakesTheRecordApart) {
  const auto context = parse_exec_context(record("/usr/bin/dash", "/srv/app", "/\0/process_api/01d7\0/\0"s));
  ASSERT_TRUE(context.ok()) << context.error().message();
  EXPECT_EQ(context->pid, 4242u);
  EXPECT_EQ(context->start_ns, 123'000'000u);
  EXPECT_EQ(context->exe_path, "/usr/bin/dash");
  EXPECT_EQ(context->cwd, "/srv/app");
  EXPECT_EQ(context->cgroups, (std::vector<std::string>{"/", "/process_api/01d7", "/"}));
  EXPECT_FALSE(context->truncated);
}

TEST(ExecContext, PartsNotAskedForAreEmpty) {
  const auto context = parse_exec_context(record("", "/root", ""));
  ASSERT_TRUE(context.ok());
  EXPECT_EQ(context->exe_path, "");
  EXPECT_EQ(context->cwd, "/root");
  EXPECT_TRUE(context->cgroups.empty());
}

TEST(ExecContext, RemovedCwdReadsAsReadlinkShowsIt) {
  const auto context = parse_exec_context(record("", "/tmp/gone", "", EXEC_CONTEXT_CWD_DELETED));
  ASSERT_TRUE(context.ok());
  EXPECT_EQ(context->cwd, "/tmp/gone (deleted)");
}

TEST(ExecContext, ACutRecordSaysSoAndKeepsWhatItHas) {
  const auto context = parse_exec_context(record("", "", "/a\0/very/lo"s, EXEC_CONTEXT_TRUNCATED));
  ASSERT_TRUE(context.ok());
  EXPECT_TRUE(context->truncated);
  EXPECT_EQ(context->cgroups, (std::vector<std::string>{"/a", "/very/lo"}));
}

TEST(ExecContext, SizesBeyondTheRecordAreAnError) {
  std::string bytes = record("/usr/bin/dash", "/srv", "/\0"s);
  EXPECT_FALSE(parse_exec_context(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(parse_exec_context(bytes.substr(0, 16)).ok()) << "shorter than the header";
}

}  // namespace
}  // namespace bpfproc
