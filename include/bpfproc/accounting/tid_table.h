#pragma once
// A process's threads by tid: a small map for what is nearly always one entry.
//
// Almost every process on a host has one thread, and a node-based hash map spends some 300 bytes
// on it (node, bucket array, the map itself), more than the thread's counters. Here the entries
// sit in one vector, found by a linear search while there are few; a process with many threads
// gets a tid -> slot index, so that no operation grows with its thread count. Erasing moves the
// last entry into the hole: order is not kept.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bpfproc {

template <typename Value>
class TidTable {
 public:
  struct Entry {
    std::uint32_t tid;
    Value value;
  };

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

  Value* find(std::uint32_t tid) {
    const std::size_t slot = slot_of(tid);
    return slot == npos ? nullptr : &entries_[slot].value;
  }

  // The entry of tid, and whether it was added now (value-initialized).
  std::pair<Value&, bool> try_emplace(std::uint32_t tid) {
    if (const std::size_t slot = slot_of(tid); slot != npos) return {entries_[slot].value, false};
    entries_.push_back(Entry{tid, Value{}});
    if (index_) index_->emplace(tid, static_cast<std::uint32_t>(entries_.size() - 1));
    else if (entries_.size() > kLinearLimit) build_index();
    return {entries_.back().value, true};
  }

  void erase(std::uint32_t tid) {
    if (const std::size_t slot = slot_of(tid); slot != npos) erase_slot(slot);
  }

  // Erases the entries for which remove(tid, value) is true; remove may change the others.
  template <typename Remove>
  void erase_if(Remove remove) {
    for (std::size_t slot = 0; slot < entries_.size();) {
      if (remove(entries_[slot].tid, entries_[slot].value)) erase_slot(slot);  // the last moved here
      else ++slot;
    }
  }

 private:
  static constexpr std::size_t kLinearLimit = 16;  // one or two cache lines of tids to compare
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  std::size_t slot_of(std::uint32_t tid) const {
    if (index_) {
      auto found = index_->find(tid);
      return found == index_->end() ? npos : found->second;
    }
    for (std::size_t slot = 0; slot < entries_.size(); ++slot)
      if (entries_[slot].tid == tid) return slot;
    return npos;
  }

  void erase_slot(std::size_t slot) {
    if (index_) index_->erase(entries_[slot].tid);
    if (slot + 1 != entries_.size()) {
      entries_[slot] = std::move(entries_.back());
      if (index_) (*index_)[entries_[slot].tid] = static_cast<std::uint32_t>(slot);
    }
    entries_.pop_back();
  }

  void build_index() {
    index_ = std::make_unique<std::unordered_map<std::uint32_t, std::uint32_t>>();
    index_->reserve(entries_.size() * 2);
    for (std::size_t slot = 0; slot < entries_.size(); ++slot)
      index_->emplace(entries_[slot].tid, static_cast<std::uint32_t>(slot));
  }

  std::vector<Entry> entries_;
  std::unique_ptr<std::unordered_map<std::uint32_t, std::uint32_t>> index_;  // only past kLinearLimit
};

}  // namespace bpfproc
