#include "bpfproc/grouping/name_template.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

ProcessIdentity sleep_process() {
  ProcessIdentity identity;
  identity.pid = 4242;
  identity.comm = "sleep";
  identity.exe_path = "/usr/bin/sleep";
  identity.argv = {"sleep", "60"};
  identity.uid = 1000;
  return identity;
}

// Parses and renders; a parse error fails the test and renders a marker that no assertion expects.
std::string render(std::string_view text, const TemplateContext& context) {
  const auto parsed = NameTemplate::parse(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message());
  return parsed.ok() ? parsed->render(context) : "<parse error>";
}

std::string render_for(std::string_view text, const ProcessIdentity& identity) {
  TemplateContext context;
  context.identity = &identity;
  return render(text, context);
}

std::string parse_error(std::string_view text) {
  const auto parsed = NameTemplate::parse(text);
  EXPECT_FALSE(parsed.ok()) << "expected an error for " << text;
  return parsed.ok() ? "<no error>" : parsed.error().message();
}

TEST(NameTemplate, LiteralTextRendersUnchanged) {
  const auto identity = sleep_process();
  EXPECT_EQ(render_for("web-tier", identity), "web-tier");
  EXPECT_EQ(render_for("", identity), "");
  // Go templates treat a lone "}}" as text, and so do we.
  EXPECT_EQ(render_for("a}}b{c}", identity), "a}}b{c}");
}

TEST(NameTemplate, Comm) {
  auto identity = sleep_process();
  identity.comm = "kworker/0:1";
  EXPECT_EQ(render_for("{{.Comm}}", identity), "kworker/0:1");
}

// As process-exporter 0.7.10 (its MatchAndName): argv[0], not the executable, so that `sh` stays
// `sh` where /proc/PID/exe says dash, and `python3` stays `python3` where it says python3.11.
TEST(NameTemplate, ExeBaseAndExeFullAreArgv0AsInProcessExporter) {
  auto identity = sleep_process();
  identity.exe_path = "/usr/bin/dash";
  identity.argv = {"/bin/sh", "-c", "true"};
  EXPECT_EQ(render_for("{{.ExeBase}}", identity), "sh");
  EXPECT_EQ(render_for("{{.ExeFull}}", identity), "/bin/sh");
  identity.argv = {"postgres: checkpointer"};  // a rewritten argv[0] is what process-exporter shows
  EXPECT_EQ(render_for("{{.ExeBase}}", identity), "postgres: checkpointer");
  identity.argv = {""};
  EXPECT_EQ(render_for("{{.ExeBase}}", identity), ".") << "Go's filepath.Base of an empty path";
  EXPECT_EQ(render_for("{{.ExeFull}}", identity), "");
}

TEST(NameTemplate, ExeFieldsOfAProcessWithoutCommandLineAreItsComm) {
  auto identity = sleep_process();
  identity.exe_path.clear();
  identity.argv.clear();
  identity.comm = "kthreadd";
  EXPECT_EQ(render_for("{{.ExeBase}}", identity), "kthreadd");
  EXPECT_EQ(render_for("{{.ExeFull}}", identity), "kthreadd");
  EXPECT_EQ(render_for("{{.ExePath}}", identity), "kthreadd");
}

// bpfproc's own field: the executable, which a process cannot fake.
TEST(NameTemplate, ExePathIsTheResolvedExecutable) {
  auto identity = sleep_process();
  identity.exe_path = "/usr/lib/postgresql/15/bin/postgres";
  identity.argv = {"postgres: checkpointer"};
  EXPECT_EQ(render_for("{{.ExePath}}", identity), "/usr/lib/postgresql/15/bin/postgres");
  identity.exe_path.clear();  // unreadable: the same fallbacks as ExeFull
  EXPECT_EQ(render_for("{{.ExePath}}", identity), "postgres: checkpointer");
}

TEST(NameTemplate, Username) {
  const auto identity = sleep_process();
  TemplateContext context;
  context.identity = &identity;
  context.username = "www-data";
  EXPECT_EQ(render("{{.Username}}", context), "www-data");
}

TEST(NameTemplate, Pid) {
  const auto identity = sleep_process();
  EXPECT_EQ(render_for("{{.PID}}", identity), "4242");
}

// process-exporter prints a time.Time, whose String() is "2006-01-02 15:04:05.999999999 -0700
// MST": in UTC, the fraction without its trailing zeros, none at all on a whole second. Seen from
// prometheus-process-exporter 0.7.10: "2026-11-30 06:45:28.82 +0000 UTC".
TEST(NameTemplate, StartTimeIsGosTimeString) {
  const auto identity = sleep_process();
  TemplateContext context;
  context.identity = &identity;
  context.start_time_unix_ns = 1'796'021'128'820'000'000;
  EXPECT_EQ(render("{{.StartTime}}", context), "2026-11-30 06:45:28.82 +0000 UTC");
  context.start_time_unix_ns = 1'796'021'126'800'000'000;
  EXPECT_EQ(render("{{.StartTime}}", context), "2026-11-30 06:45:26.8 +0000 UTC");
  context.start_time_unix_ns = 1'796'021'126'000'000'000;
  EXPECT_EQ(render("{{.StartTime}}", context), "2026-11-30 06:45:26 +0000 UTC");
  EXPECT_EQ(go_time_string(1'000'000'001), "1970-01-01 00:00:01.000000001 +0000 UTC");
}

// process-exporter's Cgroups is the path of each line of /proc/PID/cgroup, printed as Go prints
// a []string. Seen from prometheus-process-exporter 0.7.10 on a hybrid host:
// "[/ / / / / /process_api/01d7eaf2fd3d1561d59a30ccba39519d / / / /]".
TEST(NameTemplate, CgroupsIsGosPrintOfTheCgroupPaths) {
  auto identity = sleep_process();
  identity.cgroups = {"/", "/", "/process_api/01d7", "/"};
  EXPECT_EQ(render_for("{{.Cgroups}}", identity), "[/ / /process_api/01d7 /]");
  identity.cgroups = {"/user.slice/user-1000.slice/session-2.scope"};
  EXPECT_EQ(render_for("cg:{{.Cgroups}}", identity), "cg:[/user.slice/user-1000.slice/session-2.scope]");
  identity.cgroups.clear();  // unreadable: process-exporter has an empty slice
  EXPECT_EQ(render_for("{{.Cgroups}}", identity), "[]");
}

// bpfproc's own: the fields of the cgroup v2 path (cgroup_fields_test checks how they are found).
TEST(NameTemplate, CgroupFields) {
  auto identity = sleep_process();
  identity.cgroup = {"/system.slice/x.service", "x.service", "3f6b0e0c9a1d", "0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"};
  EXPECT_EQ(render_for("{{.Cgroup}}|{{ .Unit }}|{{.ContainerID}}|{{.PodUID}}", identity),
            "/system.slice/x.service|x.service|3f6b0e0c9a1d|0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e");
  identity.cgroup = {};
  EXPECT_EQ(render_for("u={{.Unit}}", identity), "u=");
  EXPECT_TRUE(NameTemplate::parse("{{.ContainerID}}")->uses_cgroup_fields());
  EXPECT_FALSE(NameTemplate::parse("{{.Cgroups}}")->uses_cgroup_fields());
  EXPECT_FALSE(NameTemplate::parse("{{.ContainerId}}").ok()) << "Go's field names are case-sensitive";
}

// bpfproc's own (process-exporter 0.7.10 has no Cwd; its pull request #300 proposes readlink of
// /proc/PID/cwd, which is what this is).
TEST(NameTemplate, CwdIsTheWorkingDirectory) {
  auto identity = sleep_process();
  identity.cwd = "/srv/app";
  EXPECT_EQ(render_for("{{.Comm}}@{{.Cwd}}", identity), "sleep@/srv/app");
  identity.cwd = "/tmp/gone (deleted)";  // as readlink shows a removed directory
  EXPECT_EQ(render_for("{{.Cwd}}", identity), "/tmp/gone (deleted)");
}

// process-exporter's Matches is a map[string]string, which Go prints with sorted keys; the key ""
// holds the whole match (or the last unnamed group, see RuleMatch). Seen from
// prometheus-process-exporter 0.7.10: "map[:grep num_procs first:grep rest: num_procs]".
TEST(NameTemplate, MatchesAloneIsGosPrintOfTheMap) {
  const auto identity = sleep_process();
  TemplateContext context;
  context.identity = &identity;
  context.matches = {{"rest", " num_procs"}, {"first", "grep"}, {"", "grep num_procs"}};
  EXPECT_EQ(render("{{.Matches}}", context), "map[:grep num_procs first:grep rest: num_procs]");
  context.matches.clear();  // a rule without cmdline regexes
  EXPECT_EQ(render("{{.Matches}}", context), "map[]");
}

TEST(NameTemplate, MatchesRendersNamedCaptures) {
  const auto identity = sleep_process();
  TemplateContext context;
  context.identity = &identity;
  context.matches = {{"Cfgfile", "/etc/pe.yml"}, {"port", "9256"}};
  EXPECT_EQ(render("{{.Matches.Cfgfile}}:{{.Matches.port}}", context), "/etc/pe.yml:9256");
  // A capture that did not take part in the match renders empty.
  EXPECT_EQ(render("[{{.Matches.absent}}]", context), "[]");
}

TEST(NameTemplate, MixesLiteralsAndFieldsAndToleratesSpaces) {
  const auto identity = sleep_process();
  TemplateContext context;
  context.identity = &identity;
  context.username = "alice";
  EXPECT_EQ(render("job {{ .Comm }}/{{\t.Username\t}}-{{.PID }}.", context), "job sleep/alice-4242.");
}

TEST(NameTemplate, RenderWithoutIdentityDoesNotCrash) {
  TemplateContext context;
  EXPECT_EQ(render("x{{.Comm}}{{.ExeBase}}y{{.PID}}", context), "xy0");
}

TEST(NameTemplate, KeepsItsText) {
  const auto parsed = NameTemplate::parse("{{ .Comm }}:x");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->text(), "{{ .Comm }}:x");
}

TEST(NameTemplate, ListsMatchNames) {
  const auto parsed = NameTemplate::parse("{{.Matches.app}}-{{.Comm}}-{{ .Matches.env }}");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->match_names(), (std::vector<std::string>{"app", "env"}));
}

TEST(NameTemplate, SaysWhetherItUsesTheUsername) {
  EXPECT_TRUE(NameTemplate::parse("{{.Username}}-{{.Comm}}")->uses_username());
  EXPECT_FALSE(NameTemplate::parse("{{.Comm}}-{{.PID}}")->uses_username());
}

TEST(NameTemplate, SaysWhetherItNamesEachProcessApart) {
  EXPECT_TRUE(NameTemplate::parse("{{.Comm}}-{{.PID}}")->names_each_process());
  EXPECT_TRUE(NameTemplate::parse("job@{{.StartTime}}")->names_each_process());
  EXPECT_TRUE(NameTemplate::parse("{{.Comm}} in {{.Cwd}}")->names_each_process()) << "a cwd per job or per user";
  EXPECT_FALSE(NameTemplate::parse("{{.Comm}}-{{.Username}}-{{.Matches.app}}")->names_each_process());
  EXPECT_FALSE(NameTemplate::parse("{{.Comm}}-{{.Cgroups}}-{{.Matches}}")->names_each_process());
}

TEST(NameTemplate, SaysWhichCostlyPartsItUses) {
  const auto cwd = NameTemplate::parse("{{.Comm}}@{{.Cwd}}");
  EXPECT_TRUE(cwd->uses_cwd());
  EXPECT_FALSE(cwd->uses_cgroups());
  EXPECT_FALSE(cwd->uses_exe_path());
  EXPECT_TRUE(NameTemplate::parse("{{.Cgroups}}")->uses_cgroups());
  EXPECT_TRUE(NameTemplate::parse("{{.ExePath}}")->uses_exe_path());
  EXPECT_FALSE(NameTemplate::parse("{{.ExeFull}}")->uses_exe_path());
  EXPECT_TRUE(NameTemplate::parse("{{.Matches}}")->uses_all_matches());
  EXPECT_FALSE(NameTemplate::parse("{{.Matches.app}}")->uses_all_matches());
}

TEST(NameTemplate, UnknownFieldIsAnErrorNamingIt) {
  EXPECT_EQ(parse_error("x-{{.Foo}}"), "unknown template field \"{{.Foo}}\"");
  // Field names are case-sensitive, as in Go.
  EXPECT_EQ(parse_error("{{.Pid}}"), "unknown template field \"{{.Pid}}\"");
  EXPECT_EQ(parse_error("{{ .CGroup }}"), "unknown template field \"{{ .CGroup }}\"");
  EXPECT_EQ(parse_error("{{.cwd}}"), "unknown template field \"{{.cwd}}\"");
  EXPECT_EQ(parse_error("{{Comm}}"), "unknown template field \"{{Comm}}\"");
  EXPECT_EQ(parse_error("{{.Matches.}}"), "unknown template field \"{{.Matches.}}\"");
  EXPECT_EQ(parse_error("{{.Matches.a-b}}"), "unknown template field \"{{.Matches.a-b}}\"");
}

TEST(NameTemplate, UnterminatedFieldIsAnError) {
  EXPECT_EQ(parse_error("app-{{.Comm"), "unterminated template field \"{{.Comm\"");
  EXPECT_EQ(parse_error("{{.Comm}}-{{"), "unterminated template field \"{{\"");
}

}  // namespace
}  // namespace bpfproc
