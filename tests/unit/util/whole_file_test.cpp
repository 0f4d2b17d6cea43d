#include "bpfproc/util/whole_file.h"

#include <fcntl.h>

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

#include "bpfproc/util/file_descriptor.h"

namespace bpfproc {
namespace {

const std::string kFixtures = BPFPROC_FIXTURES_DIR;

TEST(WholeFile, ReadsAWholeFile) {
  auto text = read_whole_file(kFixtures + "/proc/1000/comm");
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_EQ(*text, "sleep\n");
}

TEST(WholeFile, ReadsMoreThanOneChunk) {
  // /proc/self/maps of the test runner is far longer than one 4096-byte read.
  auto text = read_whole_file("/proc/self/maps");
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_GT(text->size(), 4096u);
  EXPECT_EQ(text->back(), '\n');
}

TEST(WholeFile, MissingFileIsAnOpenErrorWithItsPathAndErrno) {
  auto text = read_whole_file("/nonexistent/bpfproc.yml");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().what, "open");
  EXPECT_EQ(text.error().object, "/nonexistent/bpfproc.yml");
  EXPECT_EQ(text.error().errno_value, ENOENT);
  EXPECT_EQ(text.error().message(), "/nonexistent/bpfproc.yml: open: No such file or directory");
}

TEST(WholeFile, DirectoryIsAReadError) {
  auto text = read_whole_file(kFixtures);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().what, "read");
  EXPECT_EQ(text.error().errno_value, EISDIR);
}

TEST(WholeFile, ReadsRelativeToAnOpenDirectoryAndNamesTheDisplayPath) {
  const FileDescriptor directory(::open((kFixtures + "/proc/1000").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(directory);
  auto text = read_whole_file_at(directory.get(), "comm", "fixture/1000/comm");
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_EQ(*text, "sleep\n");

  auto missing = read_whole_file_at(directory.get(), "no-such-file", "fixture/1000/no-such-file");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "fixture/1000/no-such-file: open: No such file or directory");
}

// A file an operator names: a device or a FIFO is refused before it is opened (it could block or
// never end), a directory or a missing file fails with its errno.
TEST(WholeFile, ARegularFileReaderRefusesWhatIsNotAFile) {
  auto fixture = read_regular_file(kFixtures + "/proc/1000/comm");
  ASSERT_TRUE(fixture) << fixture.error().message();
  EXPECT_EQ(*fixture, "sleep\n");

  auto device = read_regular_file("/dev/zero");
  ASSERT_FALSE(device);
  EXPECT_EQ(device.error().message(), "/dev/zero: not a regular file");
  auto directory = read_regular_file(kFixtures);
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().errno_value, EISDIR);
  auto missing = read_regular_file(kFixtures + "/no-such-file");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().errno_value, ENOENT);
}

}  // namespace
}  // namespace bpfproc
