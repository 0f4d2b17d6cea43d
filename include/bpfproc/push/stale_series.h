#pragma once
// Which series of the last push are gone from this one (a group removed after its retention, a
// process that left the top-N), so that the next push ends them with a stale marker: without
// one, a receiver shows the last value for five more minutes, as if the group were still there.
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bpfproc {

// Prometheus' staleness marker: a NaN with this exact bit pattern (model/value.StaleNaN).
inline constexpr std::uint64_t kStaleNaNBits = 0x7ff0000000000002;
inline double stale_nan() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool is_stale_nan(double value) { return std::bit_cast<std::uint64_t>(value) == kStaleNaNBits; }

using SeriesLabels = std::vector<std::pair<std::string, std::string>>;

// A series' identity: its sorted labels, name and value separated by 0xff, a byte that valid
// UTF-8 (every label bpfproc writes) never holds.
void append_series_key(std::string& key, std::string_view name, std::string_view value);
SeriesLabels labels_of_series_key(std::string_view key);

// Remembers a push's series as 64-bit hashes of their keys, sorted, with the keys themselves
// packed in one buffer: at 10,000 groups (360,000 series) a set of key strings made every push
// pay hundreds of thousands of allocations and cache misses, 10 times the rest of the encode. A
// hash collision (about 1 in 10^8 at that size) would only cost a stale marker.
class StaleSeries {
 public:
  // One series of this push.
  void add(std::string_view key);
  // Ends this push: the keys of the last push's series that this one lacks.
  std::vector<std::string> finish();

 private:
  struct Entry {
    std::uint64_t hash;
    std::size_t offset;  // of its key in the keys buffer
    std::size_t length;
  };
  std::vector<Entry> current_, previous_;
  std::string current_keys_, previous_keys_;  // kept between pushes: their capacity is reused
};

}  // namespace bpfproc
