#include "bpfproc/grouping/process_rule.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

std::shared_ptr<const RE2> regex(const std::string& pattern) {
  auto compiled = std::make_shared<const RE2>(pattern);
  EXPECT_TRUE(compiled->ok()) << pattern << ": " << compiled->error();
  return compiled;
}

ProcessIdentity process(std::string comm, std::string exe_path, std::vector<std::string> argv) {
  ProcessIdentity identity;
  identity.pid = 100;
  identity.comm = std::move(comm);
  identity.exe_path = std::move(exe_path);
  identity.argv = std::move(argv);
  return identity;
}

ProcessIdentity kernel_thread(std::string comm) {
  ProcessIdentity identity = process(std::move(comm), "", {});
  identity.kernel_thread = true;
  return identity;
}

TEST(ProcessRule, CommMatchesAnyEntryExactly) {
  ProcessRule rule;
  rule.comm = {"bash", "zsh"};
  EXPECT_TRUE(rule.match(process("zsh", "/usr/bin/zsh", {"-zsh"})));
  EXPECT_TRUE(rule.match(process("bash", "/usr/bin/bash", {"bash"})));
  EXPECT_FALSE(rule.match(process("fish", "/usr/bin/fish", {"fish"})));
  EXPECT_FALSE(rule.match(process("bash2", "/usr/bin/bash2", {"bash2"})));
}

TEST(ProcessRule, ExeEntryWithoutSlashComparesTheBasename) {
  ProcessRule rule;
  rule.exe = {"sleep"};
  EXPECT_TRUE(rule.match(process("sleep", "/usr/bin/sleep", {"sleep", "1"})));
  EXPECT_TRUE(rule.match(process("sleep", "/bin/sleep", {"sleep", "1"})));
  EXPECT_FALSE(rule.match(process("sleeper", "/usr/bin/sleeper", {"sleeper"})));
}

TEST(ProcessRule, ExeEntryWithSlashComparesTheFullPath) {
  ProcessRule rule;
  rule.exe = {"/usr/bin/sleep"};
  EXPECT_TRUE(rule.match(process("sleep", "/usr/bin/sleep", {"sleep", "1"})));
  EXPECT_FALSE(rule.match(process("sleep", "/bin/sleep", {"/bin/sleep", "1"})));
  EXPECT_FALSE(rule.match(process("sleep", "/usr/local/usr/bin/sleep", {"sleep"})));
}

TEST(ProcessRule, ExeMatchesArgv0WhenTheExecutableIsUnknown) {
  const auto prometheus = process("prometheus", "", {"/usr/local/bin/prometheus", "--web.enable-lifecycle"});
  ProcessRule by_path;
  by_path.exe = {"/usr/local/bin/prometheus"};
  EXPECT_TRUE(by_path.match(prometheus));
  ProcessRule by_name;
  by_name.exe = {"prometheus"};
  EXPECT_TRUE(by_name.match(prometheus));
  ProcessRule other_path;
  other_path.exe = {"/usr/bin/prometheus"};
  EXPECT_FALSE(other_path.match(prometheus));
}

TEST(ProcessRule, ExeMatchesArgv0EvenWhenTheExecutableDiffers) {
  // /usr/bin/python3 is a symlink: process-exporter configs name it through argv[0].
  ProcessRule rule;
  rule.exe = {"python3"};
  EXPECT_TRUE(rule.match(process("python3", "/usr/bin/python3.11", {"python3", "manage.py"})));
}

TEST(ProcessRule, ExeMatchesTheExecutableWhenArgv0IsRewritten) {
  ProcessRule rule;
  rule.exe = {"postgres"};
  EXPECT_TRUE(rule.match(process("postgres", "/usr/lib/postgresql/15/bin/postgres", {"postgres: checkpointer"})));
}

TEST(ProcessRule, ExeNeverMatchesAProcessWithoutExecutableOrArgv) {
  ProcessRule rule;
  rule.exe = {"kthreadd"};
  EXPECT_FALSE(rule.match(kernel_thread("kthreadd")));
}

TEST(ProcessRule, CmdlineRegexesMustAllMatch) {
  ProcessRule rule;
  rule.cmdline = {regex("--config"), regex(R"(--port=\d+)")};
  EXPECT_TRUE(rule.match(process("app", "/opt/app", {"app", "--config", "a.yml", "--port=80"})));
  EXPECT_FALSE(rule.match(process("app", "/opt/app", {"app", "--config", "a.yml"})));
  EXPECT_FALSE(rule.match(process("app", "/opt/app", {"app", "--port=80"})));
}

TEST(ProcessRule, CmdlineSearchesUnanchoredInArgvJoinedBySingleSpaces) {
  ProcessRule rule;
  rule.cmdline = {regex("config a.yml")};
  EXPECT_TRUE(rule.match(process("app", "/opt/app", {"/opt/app", "--config", "a.yml", "-v"})));
  EXPECT_FALSE(rule.match(process("app", "/opt/app", {"/opt/app", "--config", "b.yml"})));
}

TEST(ProcessRule, CmdlineCollectsNamedCapturesOfEveryRegex) {
  ProcessRule rule;
  rule.cmdline = {regex(R"(-config\.path\s+(?P<Cfgfile>\S+))"), regex(R"((--)port=(?P<port>\d+))")};
  const auto match = rule.match(
      process("process-exporte", "/usr/local/bin/process-exporter",
              {"/usr/local/bin/process-exporter", "-config.path", "/etc/pe.yml", "--port=9256"}));
  ASSERT_TRUE(match);
  // Unnamed groups are not captures.
  EXPECT_EQ(match->captures,
            (std::map<std::string, std::string>{{"Cfgfile", "/etc/pe.yml"}, {"port", "9256"}}));
}

TEST(ProcessRule, CaptureOfAnOptionalGroupThatDidNotTakePartIsEmpty) {
  ProcessRule rule;
  rule.cmdline = {regex(R"(^worker(?: --queue=(?P<queue>\w+))?)")};
  const auto match = rule.match(process("worker", "/opt/worker", {"worker"}));
  ASSERT_TRUE(match);
  ASSERT_EQ(match->captures.count("queue"), 1u);
  EXPECT_EQ(match->captures.at("queue"), "");
}

TEST(ProcessRule, SelectorsOfDifferentKindsMustAllMatch) {
  ProcessRule rule;
  rule.comm = {"python3"};
  rule.exe = {"/usr/bin/python3.11"};
  rule.cmdline = {regex("manage.py runserver")};
  EXPECT_TRUE(rule.match(process("python3", "/usr/bin/python3.11", {"python3", "manage.py", "runserver"})));
  EXPECT_FALSE(rule.match(process("python3", "/usr/bin/python3.11", {"python3", "manage.py", "migrate"})));
  EXPECT_FALSE(rule.match(process("python3", "/usr/bin/python3.9", {"python3.9", "manage.py", "runserver"})));
  EXPECT_FALSE(rule.match(process("gunicorn", "/usr/bin/python3.11", {"python3", "manage.py", "runserver"})));
}

TEST(ProcessRule, NonEmptyCmdlineRegexNeverMatchesAKernelThread) {
  ProcessRule rule;
  rule.cmdline = {regex(".+")};
  EXPECT_FALSE(rule.match(kernel_thread("kworker/0:1")));
  EXPECT_TRUE(rule.match(process("sleep", "/usr/bin/sleep", {"sleep"})));
}

}  // namespace
}  // namespace bpfproc
