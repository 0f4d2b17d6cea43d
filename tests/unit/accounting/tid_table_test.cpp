#include "bpfproc/accounting/tid_table.h"

#include <cstdint>
#include <map>
#include <random>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

std::map<std::uint32_t, int> contents(const TidTable<int>& table) {
  std::map<std::uint32_t, int> result;
  for (const auto& entry : table) EXPECT_TRUE(result.emplace(entry.tid, entry.value).second) << "tid twice";
  return result;
}

TEST(TidTable, FindsAddsAndErasesOneThread) {
  TidTable<int> table;
  EXPECT_EQ(table.find(7), nullptr);
  auto [value, added] = table.try_emplace(7);
  EXPECT_TRUE(added);
  EXPECT_EQ(value, 0) << "value-initialized";
  value = 42;
  auto [again, added_again] = table.try_emplace(7);
  EXPECT_FALSE(added_again);
  EXPECT_EQ(again, 42);
  ASSERT_NE(table.find(7), nullptr);
  EXPECT_EQ(*table.find(7), 42);
  table.erase(8);  // absent: nothing happens
  EXPECT_EQ(table.size(), 1u);
  table.erase(7);
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.find(7), nullptr);
}

// The same random operations on the table and on a std::map, through the switch to an index
// (past 16 entries) and back down: the contents agree after every step.
TEST(TidTable, AgreesWithAMapThroughRandomOperations) {
  std::mt19937 random(12345);
  TidTable<int> table;
  std::map<std::uint32_t, int> expected;
  for (int step = 0; step < 20'000; ++step) {
    const auto tid = static_cast<std::uint32_t>(random() % 64);
    const int value = static_cast<int>(random() % 1000);
    switch (random() % 4) {
      case 0:
      case 1: {
        auto [slot, added] = table.try_emplace(tid);
        EXPECT_EQ(added, !expected.contains(tid));
        slot = value;
        expected[tid] = value;
        break;
      }
      case 2:
        table.erase(tid);
        expected.erase(tid);
        break;
      default:
        table.erase_if([&](std::uint32_t entry_tid, int& entry) {
          if (entry_tid % 7 == tid % 7) return true;
          entry += 1;  // the entries kept may be changed
          return false;
        });
        std::erase_if(expected, [&](const auto& entry) { return entry.first % 7 == tid % 7; });
        for (auto& [entry_tid, entry] : expected) entry += 1;
        break;
    }
    ASSERT_EQ(table.size(), expected.size()) << "step " << step;
    for (std::uint32_t probe = 0; probe < 64; ++probe) {
      const int* found = table.find(probe);
      auto want = expected.find(probe);
      ASSERT_EQ(found != nullptr, want != expected.end()) << "step " << step << " tid " << probe;
      if (found != nullptr) ASSERT_EQ(*found, want->second) << "step " << step << " tid " << probe;
    }
  }
  EXPECT_EQ(contents(table), expected);
}

}  // namespace
}  // namespace bpfproc
