#include "bpfproc/util/utf8.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

TEST(Utf8, ValidTextIsUnchanged) {
  EXPECT_EQ(to_valid_utf8("nginx"), "nginx");
  EXPECT_EQ(to_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\xA7"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\xA7");
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(to_valid_utf8("bad\xFF\xFEx"), "bad\xEF\xBF\xBD\xEF\xBF\xBDx");
  EXPECT_EQ(to_valid_utf8("\xC3"), "\xEF\xBF\xBD") << "truncated sequence";
  EXPECT_EQ(to_valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong '/'";
  EXPECT_EQ(to_valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "surrogate";
  EXPECT_EQ(to_valid_utf8("\xF4\x90\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")
      << "above U+10FFFF";
}

TEST(Utf8, TruncationNeverSplitsACharacter) {
  std::string ascii = "abcdef";
  EXPECT_FALSE(truncate_utf8(ascii, 6));
  EXPECT_EQ(ascii, "abcdef");
  EXPECT_TRUE(truncate_utf8(ascii, 4));
  EXPECT_EQ(ascii, "abcd");
  // "aé€" is 1 + 2 + 3 bytes: a cut inside é or € backs off to the character's start.
  const std::string mixed = "a\xc3\xa9\xe2\x82\xac";
  for (std::size_t max = 0; max < mixed.size(); ++max) {
    std::string cut = mixed;
    EXPECT_TRUE(truncate_utf8(cut, max));
    EXPECT_LE(cut.size(), max);
    EXPECT_EQ(to_valid_utf8(cut), cut) << "cut at " << max << " left a partial character";
  }
  std::string three = mixed;
  truncate_utf8(three, 5);
  EXPECT_EQ(three, "a\xc3\xa9") << "the euro sign does not fit in 5 bytes";
}

}  // namespace
}  // namespace bpfproc
