#pragma once
// A CPU budget averaged over a sliding window: the CPU seconds charged in the last `window` may
// reach `cores` x window, and work waits while they do. Charges are exact figures (thread CPU
// clocks), so the budget holds on what was used, not on estimates. Not thread-safe.
#include <chrono>
#include <deque>
#include <utility>

namespace bpfproc {

class CpuBudget {
 public:
  using Clock = std::chrono::steady_clock;

  CpuBudget(double cores, Clock::duration window) : cores_(cores), window_(window) {}

  void charge(Clock::time_point at, double cpu_seconds);
  // CPU seconds charged in the window that ends at `now`.
  double used(Clock::time_point now);
  double limit_seconds() const { return cores_ * std::chrono::duration<double>(window_).count(); }
  // When more work may start: `now` while the window's charges are under the limit, else when
  // enough of them have left it. The limit is then passed by at most the work started last.
  Clock::time_point available_at(Clock::time_point now);

 private:
  void expire(Clock::time_point now);

  double cores_;
  Clock::duration window_;
  std::deque<std::pair<Clock::time_point, double>> charges_;  // oldest first
  double charged_ = 0;  // the sum of charges_
};

}  // namespace bpfproc
