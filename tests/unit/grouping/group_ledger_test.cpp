// Group totals: credits, closed members and current members add up, by name, never going down.
#include "bpfproc/grouping/group_ledger.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

Counters runtime(std::uint64_t runtime_ns, std::uint64_t system_ns = 0) {
  Counters counters;
  counters.runtime_ns = runtime_ns;
  counters.system_ns = system_ns;
  counters.user_ns = runtime_ns - system_ns;
  return counters;
}

ProcessUsage member(std::uint64_t unsettled_ns, bool exited, std::size_t threads = 1) {
  ProcessUsage usage;
  usage.unsettled = runtime(unsettled_ns);
  usage.used = usage.unsettled;
  usage.exited = exited;
  usage.live_threads = exited ? 0 : threads;
  return usage;
}

TEST(GroupLedger, NamesAGroupOnce) {
  GroupLedger ledger;
  const GroupId web = ledger.group("web");
  EXPECT_EQ(ledger.group("db"), web + 1);
  EXPECT_EQ(ledger.group("web"), web);
  EXPECT_EQ(ledger.name(web), "web");
}

// A catalogue group is its name and subgroup: db/postgres, db/mysql and a rule's "db" are three.
TEST(GroupLedger, ASubgroupMakesAGroupOfItsOwn) {
  GroupLedger ledger;
  ledger.set_retention(10);
  const GroupId postgres = ledger.group("db", "postgres");
  const GroupId mysql = ledger.group("db", "mysql");
  const GroupId plain = ledger.group("db");
  EXPECT_NE(postgres, mysql);
  EXPECT_NE(postgres, plain);
  EXPECT_EQ(ledger.group("db", "postgres"), postgres);
  EXPECT_EQ(ledger.subgroup(mysql), "mysql");
  EXPECT_EQ(ledger.size(), 3u);

  auto report = ledger.begin_report();
  for (const GroupId group : {postgres, mysql, plain}) report.add_member(group, 1, ProcessUsage{});
  const auto totals = ledger.finish_report(std::move(report), 100);
  ASSERT_EQ(totals.size(), 3u);
  EXPECT_EQ(totals[0].subgroup, "") << "by name, then subgroup";
  EXPECT_EQ(totals[1].subgroup, "mysql");
  EXPECT_EQ(totals[2].subgroup, "postgres");

  // Retired like any group; the pair then names a new one.
  auto idle = ledger.begin_report();
  idle.add_member(plain, 1, ProcessUsage{});
  (void)ledger.finish_report(std::move(idle), 101);  // starts the others' retention
  idle = ledger.begin_report();
  idle.add_member(plain, 1, ProcessUsage{});
  EXPECT_EQ(ledger.finish_report(std::move(idle), 111).size(), 1u);
  EXPECT_EQ(ledger.size(), 1u);
  const GroupId back = ledger.group("db", "postgres");
  EXPECT_EQ(ledger.subgroup(back), "postgres");
  EXPECT_EQ(ledger.size(), 2u);
}

TEST(GroupLedger, ReportsCreditsClosedMembersAndCurrentMembersSortedByName) {
  GroupLedger ledger;
  const GroupId web = ledger.group("web");
  const GroupId db = ledger.group("db");
  ledger.credit(web, runtime(100));        // CPU a member used before an exec took it elsewhere
  ledger.close_member(web, runtime(200));  // a member gone for good

  GroupLedger::Report report = ledger.begin_report();
  report.add_member(web, 7'000, member(30, /*exited=*/false, 4));
  report.add_member(web, 6'000, member(40, false, 2));
  report.add_member(web, 1'000, member(50, /*exited=*/true));
  report.add_member(db, 9'000, member(5, false));
  const std::vector<GroupTotals> totals = ledger.finish_report(std::move(report));

  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0].name, "db");
  EXPECT_EQ(totals[1].name, "web");
  const GroupTotals& group = totals[1];
  EXPECT_EQ(group.counters.runtime_ns, 420u);
  EXPECT_EQ(group.exits, 2u) << "the closed member and the one that exited since";
  EXPECT_EQ(group.processes, 2u);
  EXPECT_EQ(group.threads, 6u);
  EXPECT_EQ(group.oldest_start_ns, 6'000u) << "of the live members";
  EXPECT_FALSE(group.has_memory);
}

TEST(GroupLedger, AddsTheMemoryOfLiveMembersThatHaveSome) {
  GroupLedger ledger;
  const GroupId web = ledger.group("web");
  ProcessUsage read = member(1, false);
  read.memory = MemoryUsage{};
  read.memory->rss = 4096;
  GroupLedger::Report report = ledger.begin_report();
  report.add_member(web, 1, read);
  report.add_member(web, 2, member(1, false));
  const GroupTotals totals = ledger.finish_report(std::move(report)).at(0);
  EXPECT_TRUE(totals.has_memory);
  EXPECT_EQ(totals.memory.rss, 4096u);
}

TEST(GroupLedger, NoCounterGoesBelowItsLastReportAndUserPlusSystemIsTheRuntime) {
  GroupLedger ledger;
  const GroupId web = ledger.group("web");
  GroupLedger::Report first = ledger.begin_report();
  first.add_member(web, 1, member(1'000, false));
  EXPECT_EQ(ledger.finish_report(std::move(first)).at(0).counters.runtime_ns, 1'000u);

  // A member that left without being credited would make the group go down: it does not.
  const Counters next = ledger.finish_report(ledger.begin_report()).at(0).counters;
  EXPECT_EQ(next.runtime_ns, 1'000u);
  EXPECT_EQ(next.user_ns + next.system_ns, next.runtime_ns);
}

}  // namespace
}  // namespace bpfproc

namespace bpfproc {
namespace {

std::vector<std::string> names(const std::vector<GroupTotals>& groups) {
  std::vector<std::string> result;
  for (const GroupTotals& group : groups) result.push_back(group.name);
  return result;
}

std::vector<GroupTotals> report(GroupLedger& ledger, std::uint64_t now_ns, std::vector<std::pair<GroupId, ProcessUsage>> members = {}) {
  GroupLedger::Report report = ledger.begin_report();
  for (const auto& [group, usage] : members) report.add_member(group, 1, usage);
  return ledger.finish_report(std::move(report), now_ns);
}

// A group with no member is kept for the retention, counted from the first report that found it
// empty, then removed; its name later starts a new group from zero, under the freed id.
TEST(GroupLedger, AGroupWithoutMembersIsRetiredAfterTheRetentionAndComesBackFromZero) {
  GroupLedger ledger;
  ledger.set_retention(10);
  const GroupId web = ledger.group("web");
  const GroupId db = ledger.group("db");
  report(ledger, 100, {{web, member(5, false)}, {db, member(7, false)}});
  ledger.close_member(web, runtime(500));  // its last member is gone

  EXPECT_EQ(names(report(ledger, 105, {{db, member(7, false)}})), (std::vector<std::string>{"db", "web"}));
  auto kept = report(ledger, 114, {{db, member(7, false)}});
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[1].counters.runtime_ns, 500u) << "its counters stay exported while it is kept";
  EXPECT_EQ(names(report(ledger, 115, {{db, member(7, false)}})), std::vector<std::string>{"db"});
  EXPECT_EQ(ledger.retired(), 1u);
  EXPECT_EQ(ledger.size(), 1u);

  const GroupId again = ledger.group("web");
  EXPECT_EQ(again, web) << "the freed id is reused";
  auto back = report(ledger, 120, {{again, member(3, false)}, {db, member(7, false)}});
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].name, "web");
  EXPECT_EQ(back[1].counters.runtime_ns, 3u) << "from zero: Prometheus sees a counter reset";
}

TEST(GroupLedger, AMemberBeforeTheRetentionEndsKeepsTheGroupAndItsCounters) {
  GroupLedger ledger;
  ledger.set_retention(10);
  const GroupId web = ledger.group("web");
  ledger.close_member(web, runtime(500));
  report(ledger, 100);                                  // empty since 100
  report(ledger, 109, {{web, member(1, false)}});       // a member again: the clock stops
  auto later = report(ledger, 200, {{web, member(1, false)}});
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].counters.runtime_ns, 501u);
  report(ledger, 201);                                  // empty again since 201
  EXPECT_EQ(report(ledger, 210).size(), 1u);
  EXPECT_TRUE(report(ledger, 211).empty());
  // An exited member still tracked is a member: it holds the group's id.
  const GroupId db = ledger.group("db");
  report(ledger, 300, {{db, member(4, true)}});
  EXPECT_EQ(report(ledger, 400, {{db, member(4, true)}}).size(), 1u);
}

TEST(GroupLedger, WithoutARetentionGroupsStay) {
  GroupLedger ledger;
  const GroupId web = ledger.group("web");
  ledger.close_member(web, runtime(1));
  report(ledger, 1);
  EXPECT_EQ(report(ledger, UINT64_MAX).size(), 1u);
  EXPECT_EQ(ledger.retired(), 0u);
}

}  // namespace
}  // namespace bpfproc
