// The gzip of /metrics responses: a real gzip stream (zlib inflates it back), and the
// Accept-Encoding values that ask for it.
#include "bpfproc/web/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace bpfproc {
namespace {

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 16 + MAX_WBITS), Z_OK);  // 16: expect a gzip header
  std::string output(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  output.resize(stream.total_out);
  inflateEnd(&stream);
  return output;
}

TEST(Gzip, RoundTripsThroughZlib) {
  std::string text;
  for (int line = 0; line < 5000; ++line) text += "bpfproc_group_processes{group=\"g" + std::to_string(line) + "\"} 1\n";
  std::string compressed = "left over";
  ASSERT_TRUE(gzip_compress(text, compressed).ok());
  EXPECT_EQ(compressed.substr(0, 2), "\x1f\x8b");  // gzip magic
  EXPECT_LT(compressed.size(), text.size() / 4);
  EXPECT_EQ(gunzip(compressed), text);
}

TEST(Gzip, CompressesAnEmptyBody) {
  std::string compressed;
  ASSERT_TRUE(gzip_compress("", compressed).ok());
  EXPECT_EQ(gunzip(compressed), "");
}

TEST(Gzip, AcceptEncoding) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=1.0, *;q=0.5"));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip(nullptr));
}

}  // namespace
}  // namespace bpfproc
