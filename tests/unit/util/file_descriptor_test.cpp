#include "bpfproc/util/file_descriptor.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <type_traits>
#include <utility>

#include <gtest/gtest.h>

#include "bpfproc/util/pipe.h"

namespace bpfproc {
namespace {

bool is_open(int descriptor) { return fcntl(descriptor, F_GETFD) != -1 || errno != EBADF; }

int open_dev_null() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

static_assert(!std::is_copy_constructible_v<FileDescriptor>);
static_assert(!std::is_copy_assignable_v<FileDescriptor>);
static_assert(std::is_nothrow_move_constructible_v<FileDescriptor>);
static_assert(std::is_nothrow_move_assignable_v<FileDescriptor>);

TEST(FileDescriptor, OwnsNothingByDefaultOrAfterAFailedOpen) {
  const FileDescriptor empty;
  EXPECT_FALSE(empty);
  EXPECT_EQ(empty.get(), -1);
  const FileDescriptor failed(::open("/nonexistent", O_RDONLY));
  EXPECT_FALSE(failed.valid());
  EXPECT_EQ(failed.get(), -1);
}

TEST(FileDescriptor, ClosesWhenItGoesOutOfScope) {
  int raw = -1;
  {
    const FileDescriptor owned(open_dev_null());
    raw = owned.get();
    ASSERT_TRUE(owned);
    EXPECT_TRUE(is_open(raw));
  }
  EXPECT_FALSE(is_open(raw));
}

TEST(FileDescriptor, MoveConstructionTransfersOwnership) {
  FileDescriptor source(open_dev_null());
  const int raw = source.get();
  int moved_raw = -1;
  {
    const FileDescriptor moved(std::move(source));
    moved_raw = moved.get();
    EXPECT_EQ(moved_raw, raw);
    EXPECT_FALSE(source);  // NOLINT(bugprone-use-after-move): what a move leaves is the point
    EXPECT_TRUE(is_open(raw));
  }
  EXPECT_FALSE(is_open(raw));
}

TEST(FileDescriptor, MoveAssignmentClosesWhatTheTargetHeld) {
  FileDescriptor target(open_dev_null());
  FileDescriptor source(open_dev_null());
  const int target_raw = target.get();
  const int source_raw = source.get();
  target = std::move(source);
  EXPECT_FALSE(is_open(target_raw));
  EXPECT_EQ(target.get(), source_raw);
  EXPECT_FALSE(source);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(is_open(source_raw));
}

TEST(FileDescriptor, SelfMoveAssignmentKeepsItOpen) {
  FileDescriptor owned(open_dev_null());
  const int raw = owned.get();
  FileDescriptor& alias = owned;
  owned = std::move(alias);
  EXPECT_EQ(owned.get(), raw);
  EXPECT_TRUE(is_open(raw));
}

TEST(FileDescriptor, ReleaseGivesUpOwnershipWithoutClosing) {
  int raw = -1;
  {
    FileDescriptor owned(open_dev_null());
    raw = owned.release();
    EXPECT_FALSE(owned);
  }
  EXPECT_TRUE(is_open(raw));
  ::close(raw);
}

TEST(FileDescriptor, ResetClosesTheOldOneAndTakesTheNewOne) {
  FileDescriptor owned(open_dev_null());
  const int first = owned.get();
  const int second = open_dev_null();
  owned.reset(second);
  EXPECT_FALSE(is_open(first));
  EXPECT_EQ(owned.get(), second);
  owned.reset();
  EXPECT_FALSE(owned);
  EXPECT_FALSE(is_open(second));
}

TEST(Pipe, EndsAreConnectedAndCloseOnExec) {
  auto pipe = Pipe::open("test");
  ASSERT_TRUE(pipe) << pipe.error().message();
  ASSERT_TRUE(pipe->read_end);
  ASSERT_TRUE(pipe->write_end);
  EXPECT_TRUE(fcntl(pipe->read_end.get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(fcntl(pipe->write_end.get(), F_GETFD) & FD_CLOEXEC);
  const char sent = 'x';
  ASSERT_EQ(write(pipe->write_end.get(), &sent, 1), 1);
  pipe->write_end.reset();
  char received = 0;
  EXPECT_EQ(read(pipe->read_end.get(), &received, 1), 1);
  EXPECT_EQ(received, 'x');
  EXPECT_EQ(read(pipe->read_end.get(), &received, 1), 0) << "end of file once the write end is closed";
}

}  // namespace
}  // namespace bpfproc
