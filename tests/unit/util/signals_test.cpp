#include "bpfproc/util/signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "bpfproc/util/pipe.h"

// SIGUSR1 and SIGUSR2 only: nothing else in the test runner uses them, and the handlers under
// test catch or block them, so the runner is never killed.
namespace bpfproc {
namespace {

using SignalHandler = void (*)(int);

SignalHandler current_handler(int signal_number) {
  struct sigaction action {};
  sigaction(signal_number, nullptr, &action);
  return action.sa_handler;
}

TEST(SignalHandlers, RecordTheSignalUntilTaken) {
  const SignalHandlers handlers({{SIGUSR1, SignalAction::record}});
  EXPECT_EQ(received_signal(), 0);
  raise(SIGUSR1);
  EXPECT_EQ(received_signal(), SIGUSR1);
  EXPECT_EQ(received_signal(), SIGUSR1) << "reading does not clear it";
  EXPECT_EQ(take_received_signal(), SIGUSR1);
  EXPECT_EQ(received_signal(), 0);
  EXPECT_EQ(take_received_signal(), 0);
}

TEST(SignalHandlers, InstallingThemClearsAnEarlierSignal) {
  {
    const SignalHandlers first({{SIGUSR1, SignalAction::record}});
    raise(SIGUSR1);
  }
  const SignalHandlers second({{SIGUSR1, SignalAction::record}});
  EXPECT_EQ(received_signal(), 0);
}

TEST(SignalHandlers, IgnoredAndInterruptingSignalsRecordNothing) {
  const SignalHandlers handlers({{SIGUSR1, SignalAction::interrupt}, {SIGUSR2, SignalAction::ignore}});
  EXPECT_EQ(current_handler(SIGUSR2), SIG_IGN);
  raise(SIGUSR1);
  raise(SIGUSR2);
  EXPECT_EQ(received_signal(), 0);
}

TEST(SignalHandlers, RestoreThePreviousDispositions) {
  const SignalHandler before_first = current_handler(SIGUSR1);
  const SignalHandler before_second = current_handler(SIGUSR2);
  {
    const SignalHandlers handlers({{SIGUSR1, SignalAction::record}, {SIGUSR2, SignalAction::ignore}});
    EXPECT_NE(current_handler(SIGUSR1), before_first);
    EXPECT_NE(current_handler(SIGUSR2), before_second);
  }
  EXPECT_EQ(current_handler(SIGUSR1), before_first);
  EXPECT_EQ(current_handler(SIGUSR2), before_second);
}

TEST(SignalHandlers, CutABlockingCallShortWithEintr) {
  const SignalHandlers handlers({{SIGUSR1, SignalAction::interrupt}});
  auto pipe = Pipe::open("test");
  ASSERT_TRUE(pipe) << pipe.error().message();
  std::atomic<bool> returned{false};
  std::atomic<int> read_errno{0};
  std::thread reader([&] {
    char byte;
    const ssize_t count = read(pipe->read_end.get(), &byte, 1);  // nothing is ever written
    read_errno = count < 0 ? errno : 0;
    returned = true;
  });
  // Sent until it lands while the reader is blocked in read(); one that lands before only runs
  // the handler.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!returned && std::chrono::steady_clock::now() < deadline) {
    pthread_kill(reader.native_handle(), SIGUSR1);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!returned) pipe->write_end.reset();  // end of file lets the reader finish, and the test fail
  reader.join();
  EXPECT_EQ(read_errno, EINTR);
}

TEST(BlockedSignals, WaitReceivesABlockedSignal) {
  // On a thread of its own: the mask stays blocked, and must not outlive this test.
  int received = 0;
  std::thread waiter([&] {
    const BlockedSignals blocked{SIGUSR2};
    raise(SIGUSR2);  // to this thread, where it stays pending instead of killing the runner
    received = blocked.wait();
  });
  waiter.join();
  EXPECT_EQ(received, SIGUSR2);
}

}  // namespace
}  // namespace bpfproc
