// The built-in catalogue: it loads, it is big enough, no entry hides another, it classifies the
// fixture processes, and `use: catalogue` rules parse and fall through as rules do.
#include "bpfproc/grouping/catalogue.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "test_process.h"

#include "bpfproc/grouping/catalogue_listing.h"
#include "bpfproc/grouping/config.h"

namespace bpfproc {
namespace {

using test_support::process;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::istringstream stream(text);
  for (std::string part; std::getline(stream, part, separator);) parts.push_back(part);
  return parts;
}

TEST(Catalogue, TheEmbeddedOneLoadsWithAtLeast150EntriesInEveryExpectedGroup) {
  auto parsed = Catalogue::parse(kCatalogueYaml, "catalogue.yml");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_GE(parsed->entries().size(), 150u);
  std::map<std::string, int> sizes;
  for (const CatalogueEntry& entry : parsed->entries()) ++sizes[entry.group];
  for (const char* group : {"db", "web", "container", "monitoring", "messaging", "logging", "system", "runtime", "build"})
    EXPECT_GT(sizes[group], 0) << group;
  EXPECT_EQ(builtin_catalogue().entries().size(), parsed->entries().size());
}

// Entries meant to take processes another entry also describes: none today. An overlap found by
// the test below must either be fixed (reorder, narrow a regex) or be listed here with why.
const std::set<std::string> kIntendedOverlaps = {};

// For every entry, processes built from its own matchers (each comm with its example command line,
// each exe name with another comm) must be taken by that entry and by none before it.
TEST(Catalogue, NoEntryIsShadowedByAnEarlierOne) {
  const Catalogue& catalogue = builtin_catalogue();
  std::size_t checked = 0;
  for (const CatalogueEntry& entry : catalogue.entries()) {
    const std::string who = entry.group + "/" + entry.subgroup;
    std::vector<ProcessIdentity> processes;
    const auto argv_for = [&](const std::string& program) {
      if (!entry.example.empty()) return split(entry.example, ' ');
      return std::vector<std::string>{"/usr/bin/" + program};
    };
    for (const std::string& comm : entry.comm) processes.push_back(process(comm, "", argv_for(comm)));
    for (const std::string& exe : entry.exe) {
      std::vector<std::string> argv = argv_for(exe);
      argv.front() = "/opt/bin/" + exe;
      processes.push_back(process("synthetic", "/opt/bin/" + exe, argv));
    }
    for (const ProcessIdentity& identity : processes) {
      ++checked;
      ASSERT_TRUE(entry.matches(identity)) << who << " does not match its own process " << identity.comm;
      const CatalogueEntry* first = catalogue.match(identity);
      ASSERT_NE(first, nullptr) << who;
      if (first == &entry) continue;
      const std::string overlap = who + " <- " + first->group + "/" + first->subgroup;
      EXPECT_TRUE(kIntendedOverlaps.count(overlap) != 0)
          << who << " (line " << entry.line << ") is shadowed by " << first->group << "/" << first->subgroup
          << " (line " << first->line << ") for comm " << identity.comm << " argv[0] " << identity.argv.front();
    }
  }
  EXPECT_GT(checked, 300u);
}

TEST(Catalogue, AnEntryMatchesByCommOrExeAndAllItsRegexes) {
  const Catalogue& catalogue = builtin_catalogue();
  const auto subgroup = [&](const ProcessIdentity& identity) {
    const CatalogueEntry* entry = catalogue.match(identity);
    return entry == nullptr ? std::string("-") : entry->subgroup;
  };
  EXPECT_EQ(subgroup(process("nginx", "", {"nginx: worker process"})), "nginx") << "comm alone";
  EXPECT_EQ(subgroup(process("x", "", {"/usr/sbin/nginx", "-g", "daemon off;"})), "nginx") << "argv[0]'s base name";
  EXPECT_EQ(subgroup(process("x", "/usr/sbin/nginx", {"renamed"})), "nginx") << "the executable's base name";
  EXPECT_EQ(subgroup(process("java", "/usr/bin/java", {"java", "-cp", "x", "kafka.Kafka", "server.properties"})),
            "kafka");
  EXPECT_EQ(subgroup(process("java", "/usr/bin/java", {"java", "-cp", "x", "kafka.KafkaConsole"})), "java")
      << "a regex that does not match leaves the generic entry";
  EXPECT_EQ(subgroup(process("nginx-like", "/usr/bin/nginx-like", {"nginx-like"})), "-") << "names are exact";
  EXPECT_EQ(subgroup(process("bash", "/usr/bin/bash", {"bash", "-c", "kafka.Kafka"})), "-")
      << "a regex alone does not name an entry that lists comm";
}

// The same fixture the end-to-end test grafts onto live processes.
TEST(Catalogue, ClassifiesTheFixtureProcessesThroughAUseRule) {
  auto config = parse_config("process_names:\n  - use: catalogue\n  - name: \"{{.Comm}}\"\n    cmdline: [.+]\n",
                             "test.yml");
  ASSERT_TRUE(config.ok()) << config.error().message();
  std::ifstream fixture(BPFPROC_FIXTURES_DIR "/catalogue/processes.tsv");
  ASSERT_TRUE(fixture.good());
  std::set<std::string> subgroups;
  for (std::string line; std::getline(fixture, line);) {
    if (line.empty() || line.front() == '#') continue;
    const std::vector<std::string> fields = split(line, '\t');
    ASSERT_EQ(fields.size(), 5u) << line;
    const auto name = config->group_name_of(process(fields[2], fields[3], split(fields[4], ' ')), "root", 0);
    ASSERT_TRUE(name.has_value()) << line;
    EXPECT_EQ(name->name, fields[0]) << line;
    EXPECT_EQ(name->subgroup, fields[1]) << line;
    if (!fields[1].empty()) subgroups.insert(fields[1]);
  }
  EXPECT_GE(subgroups.size(), 30u);
}

TEST(Catalogue, UseRulesParseAndFallThrough) {
  auto config = parse_config(R"(
process_names:
  - name: mine
    comm: [postgres]
    cmdline: [replica]
  - use: catalogue
    threads: true
)", "test.yml");
  ASSERT_TRUE(config.ok()) << config.error().message();
  bool threads = false;
  auto mine = config->group_name_of(process("postgres", "", {"postgres", "replica"}), "root", 0, &threads);
  EXPECT_EQ(mine, (GroupName{"mine", ""})) << "rules before it come first";
  auto db = config->group_name_of(process("postgres", "", {"postgres"}), "root", 0, &threads);
  EXPECT_EQ(db, (GroupName{"db", "postgres"}));
  EXPECT_TRUE(threads);
  EXPECT_EQ(config->group_of(process("postgres", "", {"postgres"}), "root", 0), "db");
  EXPECT_EQ(config->group_name_of(process("myapp", "", {"myapp"}), "root", 0), std::nullopt)
      << "unknown to the catalogue and to every rule";
}

TEST(Catalogue, BadUseRulesAreErrorsWithFileAndLine) {
  const auto error = [](std::string_view yaml) {
    auto config = parse_config(yaml, "test.yml");
    return config.ok() ? std::string("<no error>") : config.error().message();
  };
  EXPECT_EQ(error("process_names:\n  - use: catalog\n"),
            "test.yml:2: unknown use: value \"catalog\" (expected catalogue)");
  EXPECT_EQ(error("process_names:\n  - comm: [x]\n  - use: [catalogue]\n"),
            "test.yml:3: unknown use: value \"?\" (expected catalogue)");
  EXPECT_EQ(error("process_names:\n  - use: catalogue\n    name: db\n"),
            "test.yml:3: a use: catalogue rule takes no name or selector (only threads)");
}

TEST(Catalogue, ABrokenCatalogueIsAnErrorWithItsLine) {
  const auto error = [](std::string_view yaml) {
    auto catalogue = Catalogue::parse(yaml, "c.yml");
    return catalogue.ok() ? std::string("<no error>") : catalogue.error().message();
  };
  EXPECT_EQ(error("catalogue:\n- {group: a, subgroup: b, comm: [abcdefghijklmnop]}\n"),
            "c.yml:2: comm \"abcdefghijklmnop\" is longer than 15 bytes");
  EXPECT_EQ(error("catalogue:\n- {group: a, subgroup: b, comm: [x]}\n- {group: a, subgroup: b, exe: [y]}\n"),
            "c.yml:3: group a subgroup b appears twice");
  EXPECT_EQ(error("catalogue:\n- {group: a, subgroup: b, comm: [java], cmdline: [kafka]}\n"),
            "c.yml:2: an entry with cmdline needs an example command line");
  EXPECT_EQ(error("catalogue:\n- {group: a, subgroup: b, comm: [java], cmdline: [kafka], example: java x}\n"),
            "c.yml:2: the example does not match the entry's cmdline regexes");
  EXPECT_EQ(error("catalogue:\n- {group: a, subgroup: b, comm: [x], name: y}\n"),
            "c.yml:2: unknown key \"name\" (expected group, subgroup, comm, exe, cmdline or example)");
  EXPECT_EQ(error("catalogue:\n- {group: a, subgroup: b}\n"), "c.yml:2: an entry needs comm, exe or cmdline");
}

TEST(CatalogueListing, TableYamlAndOneGroup) {
  const Catalogue& catalogue = builtin_catalogue();
  auto table = catalogue_listing(catalogue, CatalogueFormat::kTable, "messaging");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->substr(0, table->find('\n')), "GROUP      SUBGROUP          MATCHERS");
  EXPECT_NE(table->find("messaging  kafka             comm=java cmdline=/(^| )kafka\\.Kafka( |$)/\n"), std::string::npos)
      << *table;
  EXPECT_EQ(table->find("\ndb "), std::string::npos) << "only the group asked for";

  // The YAML is catalogue.yml's shape: it parses back into the same entries.
  auto yaml = catalogue_listing(catalogue, CatalogueFormat::kYaml);
  ASSERT_TRUE(yaml.ok());
  auto again = Catalogue::parse(*yaml, "listing");
  ASSERT_TRUE(again.ok()) << again.error().message();
  ASSERT_EQ(again->entries().size(), catalogue.entries().size());
  for (std::size_t index = 0; index < catalogue.entries().size(); ++index) {
    EXPECT_EQ(again->entries()[index].subgroup, catalogue.entries()[index].subgroup);
    EXPECT_EQ(again->entries()[index].comm, catalogue.entries()[index].comm);
    EXPECT_EQ(again->entries()[index].exe, catalogue.entries()[index].exe);
    EXPECT_EQ(again->entries()[index].cmdline.size(), catalogue.entries()[index].cmdline.size());
  }

  auto unknown = catalogue_listing(catalogue, CatalogueFormat::kTable, "dbs");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message().substr(0, 31), "--group: unknown group \"dbs\" (g");
  auto format = parse_catalogue_format("json");
  ASSERT_FALSE(format.ok());
  EXPECT_EQ(format.error().message(), "--format: unknown format \"json\" (expected table or yaml)");
}

}  // namespace
}  // namespace bpfproc
