#include "bpfproc/collectors/memory_schedule.h"

#include <algorithm>

namespace bpfproc {

void MemorySchedule::update(const std::vector<MemoryCandidate>& candidates, Clock::time_point now) {
  ++updates_;
  for (const MemoryCandidate& candidate : candidates) {
    auto [found, added] = processes_.try_emplace(candidate.key);
    Entry& entry = found->second;
    entry.resident_bytes = candidate.resident_bytes;
    entry.listed = updates_;
    if (added) {
      entry.due = now;
      entry.fresh_since = now;
      queue_.emplace(now, candidate.key);
    }
  }
  for (auto it = processes_.begin(); it != processes_.end();) {
    if (it->second.listed == updates_) {
      ++it;
      continue;
    }
    if (!it->second.claimed) queue_.erase({it->second.due, it->first});
    it = processes_.erase(it);  // a claimed one's finish() then finds nothing
  }
}

std::optional<MemorySchedule::Due> MemorySchedule::take_due(Clock::time_point now, bool over_budget) {
  if (queue_.empty() || queue_.begin()->first > now) return std::nullopt;
  const ProcessKey key = queue_.begin()->second;
  Entry& entry = processes_.at(key);
  const bool too_old = now - entry.fresh_since >= options_.max_age;
  // Over the budget only max_age still forces a read; a skip of a small process costs nothing.
  if (over_budget && !too_old && !too_small(entry)) return std::nullopt;
  queue_.erase(queue_.begin());
  entry.claimed = true;
  return Due{key, too_small(entry) ? Take::too_small : Take::read};
}

bool MemorySchedule::claim(const ProcessKey& key) {
  auto found = processes_.find(key);
  if (found == processes_.end() || found->second.claimed) return false;
  queue_.erase({found->second.due, key});
  found->second.claimed = true;
  return true;
}

void MemorySchedule::finish(const ProcessKey& key, Clock::time_point now, double cost_seconds, bool fresh) {
  auto found = processes_.find(key);
  if (found == processes_.end()) return;  // no longer listed while it was read
  Entry& entry = found->second;
  entry.claimed = false;
  if (cost_seconds > 0) {
    // One costly read on a busy host (a preemption's cache misses) must not put a small process
    // off for many intervals: a cost counts once two reads in a row show it.
    entry.cost_seconds = entry.last_read_seconds > 0 ? std::min(entry.last_read_seconds, cost_seconds) : cost_seconds;
    entry.last_read_seconds = cost_seconds;
  }
  if (fresh) entry.fresh_since = now;
  // A small process is looked at again an interval later: its resident memory may have grown.
  entry.due = now + (too_small(entry) ? Clock::duration(options_.interval) : period(entry.cost_seconds));
  queue_.emplace(entry.due, key);
}

MemorySchedule::Clock::time_point MemorySchedule::next_due() const {
  return queue_.empty() ? Clock::time_point::max() : queue_.begin()->first;
}

MemorySchedule::Clock::duration MemorySchedule::period(double cost_seconds) const {
  const double intervals = std::max(1.0, cost_seconds / kCheapReadSeconds);
  const auto stretched = std::chrono::duration<double>(options_.interval) * intervals;
  const auto longest = std::chrono::duration<double>(options_.max_age);
  return std::chrono::duration_cast<Clock::duration>(std::min(stretched, longest));
}

MemorySchedule::Ages MemorySchedule::ages(Clock::time_point now) const {
  std::vector<double> ages;
  ages.reserve(processes_.size());
  for (const auto& [key, entry] : processes_)
    if (!too_small(entry)) ages.push_back(std::chrono::duration<double>(now - entry.fresh_since).count());
  if (ages.empty()) return {};
  const auto middle = ages.begin() + static_cast<std::ptrdiff_t>(ages.size() / 2);
  std::nth_element(ages.begin(), middle, ages.end());
  const double median = *middle;
  return {*std::max_element(ages.begin(), ages.end()), median, ages.size()};
}

std::vector<ProcessKey> MemorySchedule::readable() const {
  std::vector<ProcessKey> keys;
  for (const auto& [key, entry] : processes_)
    if (!too_small(entry)) keys.push_back(key);
  return keys;
}

}  // namespace bpfproc
