#include "bpfproc/grouping/process_rule.h"

#include <gtest/gtest.h>

#include "test_process.h"

namespace bpfproc {
namespace {

std::shared_ptr<const RE2> regex(const std::string& pattern) {
  auto compiled = std::make_shared<const RE2>(pattern);
  EXPECT_TRUE(compiled->ok()) << pattern << ": " << compiled->error();
  return compiled;
}

using test_support::process;

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

TEST(ProcessRule, ExeEntryWithSlashComparesArgv0Whole) {
  ProcessRule rule;
  rule.exe = {"/usr/bin/sleep"};
  EXPECT_TRUE(rule.match(process("sleep", "/usr/bin/sleep", {"/usr/bin/sleep", "1"})));
  // process-exporter compares argv[0], never the executable: a PATH lookup's "sleep" is not it.
  EXPECT_FALSE(rule.match(process("sleep", "/usr/bin/sleep", {"sleep", "1"})));
  EXPECT_FALSE(rule.match(process("sleep", "/bin/sleep", {"/bin/sleep", "1"})));
  EXPECT_FALSE(rule.match(process("sleep", "/usr/local/usr/bin/sleep", {"sleep"})));
}

// process-exporter keeps its exe entries in a map from base name to entry: of two entries with
// one base name, the last one listed is the only one that counts.
TEST(ProcessRule, OfExeEntriesWithOneBaseNameTheLastDecides) {
  ProcessRule path_last;
  path_last.exe = {"sleep", "/usr/bin/sleep"};
  EXPECT_TRUE(path_last.match(process("sleep", "/usr/bin/sleep", {"/usr/bin/sleep", "1"})));
  EXPECT_FALSE(path_last.match(process("sleep", "/usr/bin/sleep", {"sleep", "1"})));
  ProcessRule name_last;
  name_last.exe = {"/usr/bin/sleep", "sleep"};
  EXPECT_TRUE(name_last.match(process("sleep", "/usr/bin/sleep", {"sleep", "1"})));
  EXPECT_TRUE(name_last.match(process("sleep", "/usr/bin/sleep", {"/opt/sleep", "1"})));
  ProcessRule two_paths;
  two_paths.exe = {"/bin/sleep", "/usr/bin/sleep"};
  EXPECT_FALSE(two_paths.match(process("sleep", "/usr/bin/sleep", {"/bin/sleep", "1"})));
  EXPECT_TRUE(two_paths.match(process("sleep", "/usr/bin/sleep", {"/usr/bin/sleep", "1"})));
}

TEST(ProcessRule, ExeComparesGosBaseNameOfArgv0) {
  ProcessRule rule;
  rule.exe = {"bin"};
  EXPECT_TRUE(rule.match(process("x", "/usr/bin/x", {"/usr/bin/"})));
  ProcessRule dot;
  dot.exe = {"."};
  EXPECT_TRUE(dot.match(process("x", "/usr/bin/x", {""}))) << "filepath.Base(\"\") is \".\"";
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

TEST(ProcessRule, ExeDoesNotSeeTheExecutableWhenArgv0IsRewritten) {
  ProcessRule rule;
  rule.exe = {"postgres"};
  EXPECT_FALSE(rule.match(process("postgres", "/usr/lib/postgresql/15/bin/postgres", {"postgres: checkpointer"})));
}

// bpfproc's exe_path: the resolved executable, whatever argv[0] says.
TEST(ProcessRule, ExePathComparesTheResolvedExecutable) {
  const auto checkpointer = process("postgres", "/usr/lib/postgresql/15/bin/postgres", {"postgres: checkpointer"});
  ProcessRule by_name;
  by_name.exe_path = {"postgres"};
  EXPECT_TRUE(by_name.match(checkpointer));
  ProcessRule by_path;
  by_path.exe_path = {"/usr/bin/dash", "/usr/lib/postgresql/15/bin/postgres"};
  EXPECT_TRUE(by_path.match(checkpointer));
  by_path.exe_path = {"/usr/lib/postgresql/16/bin/postgres"};
  EXPECT_FALSE(by_path.match(checkpointer));
  // Never argv[0]: a process names itself there.
  ProcessRule sh;
  sh.exe_path = {"sh"};
  EXPECT_FALSE(sh.match(process("sh", "/usr/bin/dash", {"sh", "-c", "true"})));
  EXPECT_FALSE(by_name.match(process("postgres", "", {"postgres"}))) << "exe unreadable";
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

// Two regexes over process-exporter's own command line; the second has an unnamed group.
ProcessRule config_and_port_rule(std::string_view name) {
  ProcessRule rule;
  rule.name = NameTemplate::parse(name).value();
  rule.cmdline = {regex(R"(-config\.path\s+(?P<Cfgfile>\S+))"), regex(R"((--)port=(?P<port>\d+))")};
  return rule;
}

const ProcessIdentity kProcessExporter = process(
    "process-exporte", "/usr/local/bin/process-exporter",
    {"/usr/local/bin/process-exporter", "-config.path", "/etc/pe.yml", "--port=9256"});

TEST(ProcessRule, CmdlineCollectsNamedCapturesOfEveryRegex) {
  const auto match = config_and_port_rule("{{.Matches.Cfgfile}}").match(kProcessExporter);
  ASSERT_TRUE(match);
  // Unnamed groups are left out when the name does not show the whole map.
  EXPECT_EQ(match->captures,
            (std::map<std::string, std::string>{{"Cfgfile", "/etc/pe.yml"}, {"port", "9256"}}));
}

// With {{.Matches}} in the name, the map is process-exporter's: for each regex in turn, every
// group in order under its name, "" for the whole match and for unnamed groups, the last write
// winning. Here "" ends as the second regex's unnamed group, "--".
TEST(ProcessRule, WholeMatchesMapHasProcessExportersUnnamedEntry) {
  const auto match = config_and_port_rule("{{.Matches}}").match(kProcessExporter);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->captures,
            (std::map<std::string, std::string>{{"", "--"}, {"Cfgfile", "/etc/pe.yml"}, {"port", "9256"}}));

  ProcessRule whole;
  whole.name = NameTemplate::parse("{{.Matches}}").value();
  whole.cmdline = {regex(R"(^(?P<first>\S+)(?P<rest>.*))")};
  const auto grep = whole.match(process("grep", "/usr/bin/grep", {"grep", "num_procs"}));
  ASSERT_TRUE(grep);
  EXPECT_EQ(grep->captures,
            (std::map<std::string, std::string>{{"", "grep num_procs"}, {"first", "grep"}, {"rest", " num_procs"}}));
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
  rule.exe = {"python3"};
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
