// The checks BpfCollector makes before it loads anything (no privileges needed).
#include "bpfproc/kernel/bpf_collector.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

TEST(RingBufferBytes, APowerOfTwoFromAPageIsValid) {
  const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  EXPECT_TRUE(valid_ring_buffer_bytes(page).ok());
  EXPECT_TRUE(valid_ring_buffer_bytes(2 * 1024 * 1024).ok());
}

TEST(RingBufferBytes, AnythingElseIsOneLineNamingTheFlag) {
  const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  for (std::uint64_t bytes : {std::uint64_t{0}, page / 2, page + 1, 3 * page, std::uint64_t{1} << 32}) {
    auto valid = valid_ring_buffer_bytes(bytes);
    ASSERT_FALSE(valid.ok()) << bytes;
    EXPECT_EQ(valid.error().message().rfind("--bpf.ringbuf-bytes " + std::to_string(bytes) + ": must be a power of two", 0), 0u)
        << valid.error().message();
  }
}

}  // namespace
}  // namespace bpfproc
