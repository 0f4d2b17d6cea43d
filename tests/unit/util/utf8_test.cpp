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

}  // namespace
}  // namespace bpfproc
