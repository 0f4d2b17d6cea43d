// Which group a process belongs to, decided only from what was handed in: attribution asks for
// /proc identities and user names and waits for them, it never reads them.
#include "bpfproc/grouping/attribution.h"

#include <cstring>

#include <gtest/gtest.h>

#include "lifecycle_events.h"

namespace bpfproc {
namespace {

task_record record_of(ProcessKey key, const char* comm, std::uint32_t parent = 1, std::uint32_t uid = 0) {
  task_record record{};
  record.tid = key.pid;
  record.tgid = key.pid;
  record.parent_tgid = parent;
  record.uid = uid;
  record.start_ns = key.start_ns;
  record.process_start_ns = key.start_ns;
  record.flags = TASK_RECORD_LEADER;
  std::strncpy(record.comm, comm, sizeof(record.comm) - 1);
  return record;
}

ProcessIdentity identity_of(ProcessKey key, const std::string& comm, std::vector<std::string> argv) {
  ProcessIdentity identity;
  identity.pid = static_cast<int>(key.pid);
  identity.start_time_ns = key.start_ns;
  identity.comm = comm;
  identity.exe_path = "/usr/bin/" + comm;
  identity.argv = std::move(argv);
  return identity;
}

struct Fixture {
  explicit Fixture(const std::string& yaml) : attribution(parse_config(yaml, "test").value(), 0, ledger) {}

  std::string group_name(ProcessKey key) const {
    const std::optional<GroupId> group = attribution.group_of(key);
    return group ? ledger.name(*group) : "";
  }

  GroupLedger ledger;
  Attribution attribution;
};

const char* const kByComm = "process_names: [{name: '{{.Comm}}', cmdline: ['.+']}]\n";
constexpr ProcessKey kNginx{100, 5'000};

TEST(Attribution, AsksProcOnceForALiveProcessAndDecidesFromTheReply) {
  Fixture fixture(kByComm);
  fixture.attribution.observe(record_of(kNginx, "nginx"));
  const IdentityRequests requests = fixture.attribution.identity_requests();
  EXPECT_EQ(requests.processes, std::vector<ProcessKey>{kNginx});
  EXPECT_TRUE(fixture.attribution.identity_requests().empty()) << "asked once";
  EXPECT_FALSE(fixture.attribution.decided(kNginx));

  IdentityReplies replies;
  replies.identities.emplace_back(kNginx, identity_of(kNginx, "nginx", {"nginx", "-g", "daemon off;"}));
  EXPECT_TRUE(fixture.attribution.apply(replies).empty()) << "no program was left at an exec";
  EXPECT_EQ(fixture.group_name(kNginx), "nginx");
  EXPECT_TRUE(fixture.attribution.decided(kNginx));
}

// Workers of one program share one identity (identity_pool.h), which holds the pid of whichever
// came first: a name rendered from it must still be each process's own.
TEST(Attribution, WorkersSharingAnIdentityAreNamedByTheirOwnPids) {
  Fixture fixture("process_names: [{name: 'worker-{{.PID}}', cmdline: ['.+']}]\n");
  const ProcessKey first{201, 7'000}, second{202, 7'001};
  fixture.attribution.observe(record_of(first, "worker"));
  fixture.attribution.observe(record_of(second, "worker"));
  (void)fixture.attribution.identity_requests();
  IdentityReplies replies;
  replies.identities.emplace_back(first, identity_of(first, "worker", {"worker", "--serve"}));
  replies.identities.emplace_back(second, identity_of(second, "worker", {"worker", "--serve"}));
  (void)fixture.attribution.apply(std::move(replies));
  EXPECT_EQ(fixture.group_name(first), "worker-201");
  EXPECT_EQ(fixture.group_name(second), "worker-202");
}

// A name taken from a command line is cut to the label limit, on a character boundary, and
// counted; names that differ only past the limit share a group.
TEST(Attribution, LongGroupNamesAreCutToTheLabelLimit) {
  Fixture fixture("process_names: [{name: '{{.Matches.all}}', cmdline: ['(?P<all>.*)']}]\n");
  fixture.attribution.set_label_max_length(20);
  const ProcessKey first{301, 8'000}, second{302, 8'001}, short_one{303, 8'002};
  for (const ProcessKey& key : {first, second, short_one}) fixture.attribution.observe(record_of(key, "job"));
  (void)fixture.attribution.identity_requests();
  IdentityReplies replies;
  // 18 ASCII bytes, then a 3-byte character that would end at byte 21.
  replies.identities.emplace_back(first, identity_of(first, "job", {"job-aaaaaaaaaaaaaa\xe2\x82\xac-one"}));
  replies.identities.emplace_back(second, identity_of(second, "job", {"job-aaaaaaaaaaaaaa\xe2\x82\xac-two"}));
  replies.identities.emplace_back(short_one, identity_of(short_one, "job", {"job-short"}));
  (void)fixture.attribution.apply(std::move(replies));
  EXPECT_EQ(fixture.group_name(first), "job-aaaaaaaaaaaaaa");
  EXPECT_EQ(fixture.group_name(second), "job-aaaaaaaaaaaaaa");
  EXPECT_EQ(fixture.group_name(short_one), "job-short");
  EXPECT_EQ(fixture.attribution.labels_truncated(), 2u);
}

TEST(Attribution, AReplyThatArrivesAfterAnExecIsIgnoredAndProcIsAskedAgain) {
  Fixture fixture(kByComm);
  fixture.attribution.observe(record_of(kNginx, "sh"));
  const IdentityRequests requests = fixture.attribution.identity_requests();
  // The read may have seen either program: the exec makes its answer useless.
  const Attribution::LeftProgram left = fixture.attribution.on_exec(exec_of(record_of(kNginx, "nginx"), "/usr/bin/nginx"));
  ASSERT_TRUE(left.decision) << "decided from what is known: no command line, so no group";
  EXPECT_FALSE(left.decision->group);

  IdentityReplies replies;
  replies.identities.emplace_back(kNginx, identity_of(kNginx, "sh", {"sh", "-c", "exec nginx"}));
  fixture.attribution.apply(replies);
  EXPECT_FALSE(fixture.attribution.decided(kNginx));
  EXPECT_EQ(fixture.attribution.identity_requests().processes, std::vector<ProcessKey>{kNginx});
}

TEST(Attribution, AChildWaitsForItsParentsGroup) {
  Fixture fixture("process_names: [{name: ci, comm: [runner]}]\nchildren: true\n");
  const ProcessKey runner{50, 100}, child{60, 200};
  fixture.attribution.observe(record_of(runner, "runner"));
  fixture.attribution.observe(record_of(child, "bash", runner.pid));
  fixture.attribution.on_exit(child);  // matches no rule; its parent is not decided yet
  EXPECT_FALSE(fixture.attribution.decided(child));

  const IdentityRequests requests = fixture.attribution.identity_requests();
  EXPECT_EQ(requests.processes, std::vector<ProcessKey>{runner}) << "no /proc read for an exited process";
  IdentityReplies replies;
  replies.identities.emplace_back(runner, identity_of(runner, "runner", {"runner"}));
  fixture.attribution.apply(replies);
  EXPECT_EQ(fixture.group_name(runner), "ci");
  EXPECT_EQ(fixture.group_name(child), "ci");
}

TEST(Attribution, KernelThreadsAreInNoGroupUnlessTheConfigurationTakesThem) {
  for (const bool kernel_threads : {false, true}) {
    Fixture fixture(std::string("process_names: [{name: '{{.Comm}}', comm: [kworker]}]\nkernel_threads: ") +
                    (kernel_threads ? "true" : "false") + "\n");
    fixture.attribution.observe(record_of(kNginx, "kworker"));
    ProcessIdentity identity = identity_of(kNginx, "kworker", {});
    identity.kernel_thread = true;
    IdentityReplies replies;
    replies.identities.emplace_back(kNginx, identity);
    fixture.attribution.identity_requests();
    fixture.attribution.apply(replies);
    EXPECT_TRUE(fixture.attribution.decided(kNginx));
    EXPECT_EQ(fixture.group_name(kNginx), kernel_threads ? "kworker" : "");
  }
}

TEST(Attribution, GroupNamesAreValidUtf8WhateverTheProcessIsCalled) {
  Fixture fixture(kByComm);
  fixture.attribution.observe(record_of(kNginx, "x"));
  fixture.attribution.identity_requests();
  IdentityReplies replies;
  replies.identities.emplace_back(kNginx, identity_of(kNginx, "bad\xff", {"bad"}));
  fixture.attribution.apply(replies);
  EXPECT_EQ(fixture.group_name(kNginx), "bad\xEF\xBF\xBD") << "the invalid byte becomes U+FFFD";
}

TEST(Attribution, UserNamesAreAskedForOnlyWhenARuleUsesThem) {
  Fixture without(kByComm);
  without.attribution.observe(record_of(kNginx, "nginx", 1, 1000));
  EXPECT_TRUE(without.attribution.identity_requests().uids.empty());

  Fixture with("process_names: [{name: '{{.Username}}', comm: [nginx]}]\n");
  with.attribution.observe(record_of(kNginx, "nginx", 1, 1000));
  EXPECT_EQ(with.attribution.identity_requests().uids, std::vector<std::uint32_t>{1000});
  ProcessIdentity identity = identity_of(kNginx, "nginx", {"nginx"});
  identity.uid = 1000;
  IdentityReplies replies;
  replies.identities.emplace_back(kNginx, identity);
  replies.user_names.emplace_back(1000, "www-data");
  with.attribution.apply(replies);
  EXPECT_EQ(with.group_name(kNginx), "www-data");
  EXPECT_TRUE(with.attribution.identity_requests().empty()) << "a name is kept once given";
}

TEST(Attribution, AProgramLeftAtExecBeforeItsUserNameIsKnownIsDecidedUnderItsTicket) {
  Fixture fixture("process_names: [{name: '{{.Username}}-{{.Comm}}', comm: [sh]}]\n");
  fixture.attribution.observe(record_of(kNginx, "sh", 1, 3000));
  const Attribution::LeftProgram left = fixture.attribution.on_exec(exec_of(record_of(kNginx, "nginx", 1, 3000), "/usr/bin/nginx"));
  EXPECT_FALSE(left.decision);
  EXPECT_FALSE(fixture.attribution.decided(kNginx));

  const IdentityRequests requests = fixture.attribution.identity_requests();
  EXPECT_EQ(requests.uids, std::vector<std::uint32_t>{3000});
  IdentityReplies replies;
  replies.identities.emplace_back(kNginx, std::nullopt);  // gone before /proc could be read
  replies.user_names.emplace_back(3000, "builder");
  const std::vector<Attribution::DecidedProgram> decided = fixture.attribution.apply(replies);
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].ticket, left.ticket);
  ASSERT_TRUE(decided[0].decision.group);
  EXPECT_EQ(fixture.ledger.name(*decided[0].decision.group), "builder-sh");
  EXPECT_TRUE(fixture.attribution.decided(kNginx)) << "nginx matches no rule: no group, decided";
  EXPECT_EQ(fixture.group_name(kNginx), "");
}

// A program that exits before /proc is read gets its name from the exec event and the exec
// context: the same name /proc would have given it (the e2e short_lived_names checks it live).
TEST(Attribution, AProcessGoneBeforeProcIsNamedFromItsExecContext) {
  Fixture fixture("process_names: [{name: '{{.ExePath}} in {{.Cwd}} {{.Cgroups}}', cmdline: ['.+']}]\n");
  const ProcessKey job{300, 9'000};
  fixture.attribution.observe(record_of(job, "bash"));
  (void)fixture.attribution.on_exec(exec_of(record_of(job, "sh"), "/bin/sh", {"sh", "-c", "true"}));
  ExecContext context;
  context.pid = job.pid;
  context.start_ns = job.start_ns;
  context.exe_path = "/usr/bin/dash";  // /bin/sh, resolved as /proc/PID/exe shows it
  context.cwd = "/srv/jobs";
  context.cgroups = {"/", "/jobs"};
  fixture.attribution.on_exec_context(context);
  fixture.attribution.on_exit(job);
  EXPECT_EQ(fixture.group_name(job), "/usr/bin/dash in /srv/jobs [/ /jobs]");
  EXPECT_EQ(fixture.attribution.exec_contexts_truncated(), 0u);
}

TEST(Attribution, ProcsAnswerWinsOverTheExecContextAndForksInheritTheirParents) {
  Fixture fixture("process_names: [{name: '{{.Comm}} in {{.Cwd}}', cmdline: ['.+']}]\n");
  const ProcessKey server{400, 9'500}, worker{401, 9'600};
  fixture.attribution.observe(record_of(server, "bash"));
  (void)fixture.attribution.on_exec(exec_of(record_of(server, "server"), "/opt/server", {"server"}));
  const IdentityRequests requests = fixture.attribution.identity_requests();
  EXPECT_TRUE(requests.parts.cwd) << "the rules read the cwd: /proc must give it";
  EXPECT_FALSE(requests.parts.cgroups);
  IdentityReplies replies;
  ProcessIdentity read = identity_of(server, "server", {"server"});
  read.cwd = "/srv";  // it chdir'd after the exec; /proc is read later, as process-exporter reads it
  replies.identities.emplace_back(server, read);
  fixture.attribution.apply(replies);
  ExecContext late;  // cannot happen in order, but must not undo what /proc said
  late.pid = server.pid;
  late.start_ns = server.start_ns;
  late.cwd = "/";
  fixture.attribution.on_exec_context(late);
  EXPECT_EQ(fixture.group_name(server), "server in /srv");

  fixture.attribution.on_fork(fork_of(worker, server, "server"));
  fixture.attribution.on_exit(worker);
  EXPECT_EQ(fixture.group_name(worker), "server in /srv");
}

// A process seen only through its events is named from the cgroup id they carry; an id the
// resolver does not know is counted, and the process keeps the cgroup it had.
TEST(Attribution, CgroupIdsOfEventsNameProcessesGoneBeforeProc) {
  Fixture fixture("process_names: [{name: '{{.Unit}}', cgroup: ['.']}]\n");
  fixture.attribution.resolve_cgroups([](std::uint64_t id) -> std::optional<std::string> {
    if (id == 7) return "/bpfproc-test.slice/a.scope";
    if (id == 8) return "/bpfproc-test.slice/b.scope";
    return std::nullopt;
  });
  const ProcessKey shell{500, 10'000}, child{501, 10'100}, moved{502, 10'200}, lost{503, 10'300};
  fixture.attribution.observe(record_of(shell, "bash"));
  IdentityReplies replies;
  ProcessIdentity read = identity_of(shell, "bash", {"bash"});
  read.cgroup = cgroup_fields_of_path("/bpfproc-test.slice/a.scope");
  replies.identities.emplace_back(shell, read);
  (void)fixture.attribution.identity_requests();
  fixture.attribution.apply(replies);
  EXPECT_EQ(fixture.group_name(shell), "a.scope");

  // Forked in the same cgroup (same comm: shares the parent's identity), then exec'd and gone.
  fixture.attribution.on_fork(fork_of(child, shell, "bash"));
  exec_event exec = exec_of(record_of(child, "sh", shell.pid), "/bin/sh", {"sh", "-c", "true"});
  exec.cgroup_id = 7;
  (void)fixture.attribution.on_exec(exec);
  fixture.attribution.on_exit(child);
  EXPECT_EQ(fixture.group_name(child), "a.scope");

  // Forked into another cgroup (clone3 CLONE_INTO_CGROUP), gone before /proc.
  fork_event into_b = fork_of(moved, shell, "bash");
  into_b.cgroup_id = 8;
  fixture.attribution.on_fork(into_b);
  fixture.attribution.on_exit(moved);
  EXPECT_EQ(fixture.group_name(moved), "b.scope");
  EXPECT_EQ(fixture.group_name(shell), "a.scope") << "the parent's identity is untouched";

  fork_event unknown = fork_of(lost, shell, "bash");
  unknown.cgroup_id = 99;
  fixture.attribution.on_fork(unknown);
  fixture.attribution.on_exit(lost);
  EXPECT_EQ(fixture.group_name(lost), "a.scope") << "the parent's cgroup";
  EXPECT_EQ(fixture.attribution.cgroups_unresolved(), 1u);

  // /proc/PID/cgroup unreadable: empty fields, counted, never fatal.
  const ProcessKey unreadable{504, 10'400};
  fixture.attribution.observe(record_of(unreadable, "bash"));
  (void)fixture.attribution.identity_requests();
  ProcessIdentity without = identity_of(unreadable, "bash", {"bash"});
  without.cgroup.unreadable = true;
  IdentityReplies unreadable_reply;
  unreadable_reply.identities.emplace_back(unreadable, without);
  fixture.attribution.apply(unreadable_reply);
  EXPECT_TRUE(fixture.attribution.decided(unreadable));
  EXPECT_EQ(fixture.group_name(unreadable), "") << "cgroup: ['.'] does not match an empty path";
  EXPECT_EQ(fixture.attribution.cgroups_unresolved(), 2u);
}

}  // namespace
}  // namespace bpfproc
