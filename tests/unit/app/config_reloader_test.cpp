// What a reload reads and checks before anything is put in force: every bad file is one error
// line naming it, and no configuration comes out of it.
#include "bpfproc/app/config_reloader.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

class ReloadFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/bpfproc-reload-test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = directory_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string directory_;
};

const char* const kRules = "process_names:\n  - name: web\n    comm: [nginx]\n";
const char* const kWebConfig = "basic_auth_users:\n  alice: $2y$10$abcdefghijklmnopqrstuu5Zq3gKqzdw0HjYJmR1zk7BOfPHzqTm6\n";

// One line: the file (and line when there is one), then the reason.
void expect_one_line_naming(const Result<ReloadedFiles>& read, const std::string& prefix, const std::string& reason) {
  ASSERT_FALSE(read);
  const std::string line = read.error().message();
  EXPECT_TRUE(line.starts_with(prefix)) << line;
  EXPECT_NE(line.find(reason), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
}

TEST_F(ReloadFilesTest, GoodFilesAreReadAndChecked) {
  const ReloadFiles files{.config_file = write("rules.yml", kRules), .web_config_file = write("web.yml", kWebConfig)};
  int checked = 0;
  auto read = read_reload_files(files, [&](const Config& rules) -> Status {
    ++checked;
    EXPECT_EQ(rules.rules.size(), 1u);
    return Ok{};
  });
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(checked, 1);
  ASSERT_TRUE(read->rules);
  EXPECT_EQ(read->rules->rules.size(), 1u);
  ASSERT_TRUE(read->web_config);
  EXPECT_EQ(read->web_config->basic_auth_users.size(), 1u);
}

TEST_F(ReloadFilesTest, TheThreadsFlagStaysInForceOverReloadedRules) {
  auto read = read_reload_files({.config_file = write("rules.yml", kRules), .threads = true}, {});
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_TRUE(read->rules->threads);
  read = read_reload_files({.config_file = write("rules.yml", kRules)}, {});
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_FALSE(read->rules->threads);
}

TEST_F(ReloadFilesTest, TheCgroupLabelFlagStaysInForceOverReloadedRules) {
  auto read = read_reload_files({.config_file = write("rules.yml", kRules), .cgroup_label = CgroupLabel::unit}, {});
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->rules->cgroup_label, CgroupLabel::unit);
  EXPECT_TRUE(read->rules->identity_parts().cgroup);
}

TEST_F(ReloadFilesTest, FilesNotGivenAreNotRead) {
  auto read = read_reload_files({}, {});
  ASSERT_TRUE(read);
  EXPECT_FALSE(read->rules);
  EXPECT_FALSE(read->web_config);
}

TEST_F(ReloadFilesTest, BadYamlNamesTheFileAndLine) {
  const std::string path = write("rules.yml", "process_names:\n  - name: [web\n");
  expect_one_line_naming(read_reload_files({.config_file = path}, {}), path + ":", "");
  const std::string bad_regex = write("regex.yml", "process_names:\n  - name: x\n    cmdline: ['(']\n");
  expect_one_line_naming(read_reload_files({.config_file = bad_regex}, {}), bad_regex + ":3: ", "regex");
}

TEST_F(ReloadFilesTest, AnUnknownKeyIsAnErrorAtReload) {
  const std::string path = write("rules.yml", "process_names:\n  - name: web\n    comm: [nginx]\n    comms: [x]\n");
  expect_one_line_naming(read_reload_files({.config_file = path}, {}), path + ":4: ", "unknown key \"comms\"");
}

TEST_F(ReloadFilesTest, AMissingFileOrADirectoryIsAnError) {
  const std::string missing = directory_ + "/gone.yml";
  expect_one_line_naming(read_reload_files({.config_file = missing}, {}), missing + ": ", "No such file");
  expect_one_line_naming(read_reload_files({.config_file = directory_}, {}), directory_ + ": ", "Is a directory");
  const ReloadFiles web_directory{.config_file = write("rules.yml", kRules), .web_config_file = directory_};
  expect_one_line_naming(read_reload_files(web_directory, {}), directory_ + ": ", "Is a directory");
}

TEST_F(ReloadFilesTest, ABadWebConfigIsAnErrorEvenWithGoodRules) {
  const std::string web = write("web.yml", "basic_auth_users:\n  alice: x\ntls_server_config:\n  cert_fil: a\n");
  const ReloadFiles files{.config_file = write("rules.yml", kRules), .web_config_file = web};
  expect_one_line_naming(read_reload_files(files, {}), web + ":", "unknown key \"cert_fil\"");
}

TEST_F(ReloadFilesTest, RulesTheRunningDaemonCannotTakeAreAnErrorNamingTheFile) {
  const std::string path = write("rules.yml", kRules);
  auto read = read_reload_files({.config_file = path},
                                [](const Config&) -> Status { return Error{"kernel_threads: true needs a restart", ""}; });
  expect_one_line_naming(read, path + ": ", "kernel_threads: true needs a restart");
}

}  // namespace
}  // namespace bpfproc
