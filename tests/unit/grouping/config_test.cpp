#include "bpfproc/grouping/config.h"

#include <cerrno>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "test_process.h"

namespace bpfproc {
namespace {

using test_support::process;

std::optional<std::string> group_of(const Config& config, const ProcessIdentity& identity) {
  return config.group_of(identity, "root", 0);
}

Config parse_ok(std::string_view yaml) {
  auto config = parse_config(yaml, "test.yml");
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message());
  return config.ok() ? std::move(*config) : Config{};
}

std::string parse_error(std::string_view yaml) {
  const auto config = parse_config(yaml, "test.yml");
  EXPECT_FALSE(config.ok()) << "expected an error for:\n" << yaml;
  return config.ok() ? "<no error>" : config.error().message();
}

TEST(DefaultConfig, GroupsEveryProcessByComm) {
  const Config config = default_config();
  ASSERT_EQ(config.rules.size(), 1u);
  EXPECT_TRUE(config.children);
  EXPECT_FALSE(config.kernel_threads);
  EXPECT_EQ(group_of(config, process("nginx", "/usr/sbin/nginx", {"nginx: worker process"})), "nginx");
  EXPECT_EQ(group_of(config, process("python3", "/usr/bin/python3.11", {"python3", "app.py"})), "python3");
}

TEST(DefaultConfig, LeavesKernelThreadsOut) {
  ProcessIdentity kworker = process("kworker/0:1", "", {});
  kworker.kernel_thread = true;
  EXPECT_EQ(group_of(default_config(), kworker), std::nullopt);
}

TEST(Config, FirstMatchingRuleWins) {
  const Config config = parse_ok(R"(
process_names:
  - name: shells
    comm: [bash]
  - name: everything
    cmdline: [".*"]
)");
  EXPECT_EQ(group_of(config, process("bash", "/usr/bin/bash", {"bash"})), "shells");
  EXPECT_EQ(group_of(config, process("zsh", "/usr/bin/zsh", {"zsh"})), "everything");

  const Config reversed = parse_ok(R"(
process_names:
  - name: everything
    cmdline: [".*"]
  - name: shells
    comm: [bash]
)");
  EXPECT_EQ(group_of(reversed, process("bash", "/usr/bin/bash", {"bash"})), "everything");
}

TEST(Config, NoMatchingRuleMeansNoGroup) {
  const Config config = parse_ok("process_names:\n  - comm: [bash]\n");
  EXPECT_EQ(group_of(config, process("zsh", "/usr/bin/zsh", {"zsh"})), std::nullopt);
}

TEST(Config, NameDefaultsToExeBase) {
  const Config config = parse_ok("process_names:\n  - comm: [postgres]\n  - name: \"\"\n    comm: [sleep]\n");
  // argv[0], as process-exporter names it, even where postgres rewrote it.
  EXPECT_EQ(group_of(config, process("postgres", "/usr/lib/postgresql/15/bin/postgres", {"postgres: walwriter"})),
            "postgres: walwriter");
  EXPECT_EQ(group_of(config, process("sleep", "/usr/bin/sleep", {"sleep", "1"})), "sleep");
}

TEST(Config, NameTemplateSeesUsernameStartTimeAndCaptures) {
  const Config config = parse_ok(R"(
process_names:
  - name: "{{.Username}}/{{.Matches.queue}}@{{.StartTime}}"
    exe: [worker]
    cmdline: ['--queue=(?P<queue>\w+)']
)");
  const auto group = config.group_of(process("worker", "/opt/bin/worker", {"worker", "--queue=mail"}), "alice",
                                     1'795'309'416'750'000'000);
  EXPECT_EQ(group, "alice/mail@2026-11-22 01:03:36.75 +0000 UTC");
}

TEST(Config, NeedsUserNamesOnlyWhenARuleNameUsesThem) {
  EXPECT_FALSE(default_config().needs_user_names());
  EXPECT_TRUE(parse_ok("process_names: [{name: x, comm: [a]}, {name: '{{.Username}}', comm: [b]}]\n").needs_user_names());
}

TEST(Config, ListsTheNamesThatMakeOneGroupPerProcess) {
  EXPECT_TRUE(default_config().per_process_names().empty());
  EXPECT_EQ(parse_ok("process_names: [{name: x, comm: [a]}, {name: '{{.Comm}}-{{.PID}}', comm: [b]}]\n")
                .per_process_names(),
            std::vector<std::string>{"{{.Comm}}-{{.PID}}"});
}

TEST(Config, AcceptsEveryTemplateFieldAndSaysWhatTheRulesRead) {
  const Config config = parse_ok(R"(
process_names:
  - name: "{{.Matches}}"
    cmdline: ['^(?P<first>\S+)']
  - name: "{{.Cgroups}}"
    comm: [a]
  - name: "{{.Comm}}@{{.Cwd}}"
    comm: [b]
)");
  EXPECT_TRUE(config.identity_parts().cwd);
  EXPECT_TRUE(config.identity_parts().cgroups);
  EXPECT_FALSE(config.needs_exe_path());
  EXPECT_EQ(config.per_process_names(), std::vector<std::string>{"{{.Comm}}@{{.Cwd}}"});

  ProcessIdentity identity = process("sleep", "/usr/bin/sleep", {"sleep", "1"});
  EXPECT_EQ(group_of(config, identity), "map[:sleep first:sleep]");

  EXPECT_FALSE(default_config().identity_parts().cwd);
  EXPECT_FALSE(default_config().identity_parts().cgroups);
  EXPECT_TRUE(parse_ok("process_names: [{name: '{{.ExePath}}', comm: [a]}]\n").needs_exe_path());
  EXPECT_TRUE(parse_ok("process_names: [{exe_path: [dash]}]\n").needs_exe_path());
}

// bpfproc's own: cgroup: regexes on the v2 path, their captures in Matches, and the cgroup fields.
TEST(Config, CgroupSelectorAndFields) {
  const Config config = parse_ok(R"(
process_names:
  - name: "{{.Matches.app}}:{{.Unit}}"
    cgroup: ['^/system\.slice/(?P<app>[^/.]+)\.service$']
  - name: "ctr-{{.ContainerID}}-{{.PodUID}}"
    cgroup: ['docker|kubepods']
    comm: [sleep]
  - name: "{{.Cgroup}}"
    comm: [a]
)");
  EXPECT_TRUE(config.identity_parts().cgroup);
  EXPECT_FALSE(config.identity_parts().cgroups) << "{{.Cgroups}} is another (costlier) part";
  ProcessIdentity identity = process("nginx", "/usr/sbin/nginx", {"nginx"});
  identity.cgroup = cgroup_fields_of_path("/system.slice/nginx.service");
  EXPECT_EQ(group_of(config, identity), "nginx:nginx.service");
  identity.cgroup = cgroup_fields_of_path("/system.slice/docker-" + std::string(64, 'b') + ".scope");
  EXPECT_EQ(group_of(config, identity), std::nullopt) << "every selector must match: comm is not sleep";
  identity.comm = "sleep";
  EXPECT_EQ(group_of(config, identity), "ctr-bbbbbbbbbbbb-");
  identity.comm = "a";
  identity.cgroup = {};  // unreadable: empty, and a cgroup: rule does not match it
  EXPECT_EQ(group_of(config, identity), "");

  EXPECT_FALSE(default_config().identity_parts().cgroup);
  EXPECT_TRUE(parse_ok("process_names: [{name: '{{.PodUID}}', comm: [a]}]\n").identity_parts().cgroup);
  EXPECT_EQ(parse_error("process_names: [{cgroup: ['(']}]\n"),
            "test.yml:1: invalid cgroup regex \"(\": missing ): (");
  EXPECT_EQ(parse_error("process_names: [{cgroup: []}]\n"), "test.yml:1: cgroup must not be empty");
}

TEST(Config, CgroupLabelFlagValues) {
  EXPECT_EQ(parse_cgroup_label("").value(), CgroupLabel::none);
  EXPECT_EQ(parse_cgroup_label("unit").value(), CgroupLabel::unit);
  EXPECT_EQ(parse_cgroup_label("container").value(), CgroupLabel::container);
  EXPECT_EQ(parse_cgroup_label("cgroup").value(), CgroupLabel::cgroup);
  EXPECT_EQ(parse_cgroup_label("pod").error().message(), "--group.cgroup-label pod: must be unit, container or cgroup");
  Config config = default_config();
  EXPECT_FALSE(config.identity_parts().cgroup);
  config.cgroup_label = CgroupLabel::container;
  EXPECT_TRUE(config.identity_parts().cgroup) << "the label needs the cgroup of every process";
}

TEST(Config, ReadsBpfprocSettings) {
  const Config config = parse_ok("children: false\nkernel_threads: yes\nprocess_names:\n  - comm: [bash]\n");
  EXPECT_FALSE(config.children);
  EXPECT_TRUE(config.kernel_threads);
  EXPECT_EQ(config.rules.size(), 1u);
}

TEST(Config, AcceptsAProcessExporterConfigUnchanged) {
  const auto config = load_config_file(BPFPROC_FIXTURES_DIR "/config/process-exporter.yml");
  ASSERT_TRUE(config.ok()) << config.error().message();
  ASSERT_EQ(config->rules.size(), 5u);
  EXPECT_EQ(config->rules[2].name.text(), "{{.ExeFull}}:{{.Matches.Cfgfile}}");

  // The names process-exporter 0.7.10 gives: ExeBase is argv[0]'s last element.
  EXPECT_EQ(group_of(*config, process("bash", "/usr/bin/bash", {"-bash"})), "-bash");
  // exe: [postgres] compares argv[0], which a checkpointer rewrote: the catch-all names it.
  EXPECT_EQ(group_of(*config, process("postgres", "/usr/lib/postgresql/15/bin/postgres", {"postgres: checkpointer"})),
            "postgres");
  EXPECT_EQ(group_of(*config, process("postgres", "/usr/lib/postgresql/15/bin/postgres", {"postgres", "-D", "/db"})),
            "postgres");
  EXPECT_EQ(group_of(*config, process("prometheus", "/usr/local/bin/prometheus", {"/usr/local/bin/prometheus"})),
            "prometheus");
  EXPECT_EQ(group_of(*config, process("process-exporte", "/usr/local/bin/process-exporter",
                                      {"/usr/local/bin/process-exporter", "-config.path", "/etc/pe.yml"})),
            "/usr/local/bin/process-exporter:/etc/pe.yml");
  EXPECT_EQ(group_of(*config, process("upstart", "/sbin/upstart", {"/sbin/upstart", "--user"})), "upstart:-user");
  // System upstart has no --user, so it falls through to the catch-all rule.
  EXPECT_EQ(group_of(*config, process("init", "/sbin/upstart", {"/sbin/init"})), "init");
  EXPECT_EQ(group_of(*config, process("kthreadd", "", {})), std::nullopt);
}

TEST(ConfigErrors, YamlSyntax) {
  EXPECT_EQ(parse_error("process_names:\n  - comm: [bash\n"), "test.yml:3: end of sequence flow not found");
  EXPECT_EQ(parse_error("process_names:\n\t- comm: [bash]\n"), "test.yml:2: illegal block entry");
}

// Ignored with a warning, as process-exporter ignores them.
TEST(ConfigWarnings, RemoteWriteIsKnown) {
  const Config config = parse_ok("process_names:\n  - comm: [bash]\nremote_write: {url: http://x/w}\n");
  EXPECT_TRUE(config.warnings.empty());
}

TEST(ConfigWarnings, UnknownTopLevelKey) {
  const Config config = parse_ok("process_names:\n  - comm: [bash]\nchildrens: true\n");
  EXPECT_EQ(config.warnings, std::vector<std::string>{
                                 "test.yml:3: unknown key \"childrens\" ignored (expected process_names, children, "
                                 "kernel_threads, sources or remote_write)"});
  EXPECT_TRUE(config.children) << "the misspelt key changed nothing";
}

TEST(ConfigWarnings, UnknownRuleKey) {
  const Config config = parse_ok("process_names:\n  - comm: [bash]\n    comms: [zsh]\n    cwd: [/srv]\n");
  EXPECT_EQ(config.warnings, (std::vector<std::string>{
                                 "test.yml:3: unknown key \"comms\" ignored (expected name, comm, exe, exe_path, cmdline, cgroup, threads or use)",
                                 "test.yml:4: unknown key \"cwd\" ignored (expected name, comm, exe, exe_path, cmdline, cgroup, threads or use)"}));
  ASSERT_EQ(config.rules.size(), 1u);
  EXPECT_TRUE(default_config().warnings.empty());
}

TEST(ConfigErrors, ARuleWithOnlyUnknownKeysHasNoSelector) {
  EXPECT_EQ(parse_error("process_names:\n  - comms: [bash]\n"), "test.yml:2: rule has no comm, exe, exe_path, cmdline or cgroup selector");
}

TEST(ConfigErrors, DuplicateKey) {
  EXPECT_EQ(parse_error("process_names:\n  - comm: [bash]\n    comm: [zsh]\n"), "test.yml:3: duplicate key \"comm\"");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(parse_error("process_names:\n  - comm: bash\n"), "test.yml:2: comm must be a list of strings");
  EXPECT_EQ(parse_error("process_names:\n  - exe:\n"), "test.yml:2: exe must be a list of strings");
  EXPECT_EQ(parse_error("process_names:\n  - cmdline:\n    - [a, b]\n"), "test.yml:3: cmdline entries must be strings");
  EXPECT_EQ(parse_error("process_names:\n  - comm: []\n"), "test.yml:2: comm must not be empty");
  EXPECT_EQ(parse_error("process_names: bash\n"), "test.yml:1: process_names must be a list of rules");
  EXPECT_EQ(parse_error("process_names:\n  - bash\n"),
            "test.yml:2: a rule must be a map with name, comm, exe, exe_path, cmdline, cgroup, threads or use");
  EXPECT_EQ(parse_error("process_names:\n  - comm: [bash]\nchildren: maybe\n"),
            "test.yml:3: children must be true or false");
  EXPECT_EQ(parse_error("kernel_threads: [true]\nprocess_names:\n  - comm: [bash]\n"),
            "test.yml:1: kernel_threads must be true or false");
  EXPECT_EQ(parse_error("- process_names\n"), "test.yml:1: the top level must be a map with process_names");
}

TEST(ConfigErrors, UnquotedTemplateIsAWrongType) {
  EXPECT_EQ(parse_error("process_names:\n  - comm: [bash]\n    name: {{.Comm}}\n"),
            "test.yml:3: name must be a string (quote templates: \"{{.Comm}}\")");
}

TEST(ConfigErrors, BadRegexCarriesRe2sReason) {
  EXPECT_EQ(parse_error("process_names:\n  - cmdline:\n    - 'ok'\n    - 'a(b'\n"),
            "test.yml:4: invalid cmdline regex \"a(b\": missing ): a(b");
}

TEST(ConfigErrors, UnknownTemplateField) {
  EXPECT_EQ(parse_error("process_names:\n  - comm: [bash]\n\n    name: \"{{.Comm}}-{{.Foo}}\"\n"),
            "test.yml:4: unknown template field \"{{.Foo}}\"");
  EXPECT_EQ(parse_error("process_names:\n  - name: \"{{.Comm\"\n    comm: [bash]\n"),
            "test.yml:2: unterminated template field \"{{.Comm\"");
}

TEST(ConfigErrors, MatchesNeedsACaptureOfTheSameRule) {
  EXPECT_EQ(parse_error(R"(process_names:
  - name: "{{.Matches.Cfgfile}}"
    cmdline: ['-config.path\s+(?P<Config>\S+)']
)"),
            "test.yml:2: name uses \"{{.Matches.Cfgfile}}\" but no cmdline or cgroup regex of this rule has a capture "
            "(?P<Cfgfile>...)");
  // A capture in another rule does not count.
  EXPECT_EQ(parse_error(R"(process_names:
  - cmdline: ['(?P<Cfgfile>\S+)']
  - comm: [app]
    name: "{{.Matches.Cfgfile}}"
)"),
            "test.yml:4: name uses \"{{.Matches.Cfgfile}}\" but no cmdline or cgroup regex of this rule has a capture "
            "(?P<Cfgfile>...)");
}

TEST(ConfigErrors, RuleWithoutSelector) {
  EXPECT_EQ(parse_error("process_names:\n  - comm: [bash]\n  - name: shells\n"),
            "test.yml:3: rule has no comm, exe, exe_path, cmdline or cgroup selector");
}

TEST(ConfigErrors, MissingProcessNames) {
  EXPECT_EQ(parse_error("children: true\n"), "test.yml:1: missing process_names");
  EXPECT_EQ(parse_error(""), "test.yml:1: missing process_names");
  EXPECT_EQ(parse_error("# only a comment\n"), "test.yml:1: missing process_names");
}

TEST(LoadConfigFile, ErrorsNameTheFileAndLine) {
  const std::string path = ::testing::TempDir() + "bpfproc_config_test_bad.yml";
  std::ofstream(path) << "process_names:\n  - comm: [bash]\n    comm: [zsh]\n";
  const auto config = load_config_file(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(), path + ":3: duplicate key \"comm\"");
  std::remove(path.c_str());
}

TEST(LoadConfigFile, UnreadableFileIsAnErrorWithErrno) {
  const auto missing = load_config_file("/nonexistent/bpfproc.yml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().errno_value, ENOENT);
  EXPECT_EQ(missing.error().message(), "/nonexistent/bpfproc.yml: cannot read config file: No such file or directory");

  const auto directory = load_config_file(BPFPROC_FIXTURES_DIR "/config");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().errno_value, EISDIR);

  // A device would never end (/dev/zero) or block (a FIFO): refused before it is opened.
  const auto device = load_config_file("/dev/zero");
  ASSERT_FALSE(device.ok());
  EXPECT_EQ(device.error().message(), "/dev/zero: cannot read config file: not a regular file");
}

}  // namespace
}  // namespace bpfproc
