#include "bpfproc/collectors/cpu_budget.h"

namespace bpfproc {

void CpuBudget::charge(Clock::time_point at, double cpu_seconds) {
  if (cpu_seconds <= 0) return;
  charges_.emplace_back(at, cpu_seconds);
  charged_ += cpu_seconds;
}

void CpuBudget::expire(Clock::time_point now) {
  while (!charges_.empty() && charges_.front().first <= now - window_) {
    charged_ -= charges_.front().second;
    charges_.pop_front();
  }
  if (charges_.empty()) charged_ = 0;  // no rounding drift survives an empty window
}

double CpuBudget::used(Clock::time_point now) {
  expire(now);
  return charged_;
}

CpuBudget::Clock::time_point CpuBudget::available_at(Clock::time_point now) {
  expire(now);
  const double limit = limit_seconds();
  if (charged_ < limit) return now;
  double remaining = charged_;
  for (const auto& [at, seconds] : charges_) {
    remaining -= seconds;
    if (remaining < limit) return at + window_;  // once this charge has left the window
  }
  return now;  // not reached: without charges the sum is 0
}

}  // namespace bpfproc
