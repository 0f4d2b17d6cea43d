#include "bpfproc/push/stale_series.h"

#include <algorithm>
#include <functional>

namespace bpfproc {

namespace {
constexpr char kSeparator = '\xff';
}

void append_series_key(std::string& key, std::string_view name, std::string_view value) {
  key += name;
  key += kSeparator;
  key += value;
  key += kSeparator;
}

SeriesLabels labels_of_series_key(std::string_view key) {
  SeriesLabels labels;
  while (!key.empty()) {
    const std::size_t name_end = key.find(kSeparator);
    const std::size_t value_end = key.find(kSeparator, name_end + 1);
    if (name_end == std::string_view::npos || value_end == std::string_view::npos) break;
    labels.emplace_back(key.substr(0, name_end), key.substr(name_end + 1, value_end - name_end - 1));
    key.remove_prefix(value_end + 1);
  }
  return labels;
}

void StaleSeries::add(std::string_view key) {
  current_.push_back({std::hash<std::string_view>{}(key), current_keys_.size(), key.size()});
  current_keys_ += key;
}

std::vector<std::string> StaleSeries::finish() {
  const auto by_hash = [](const Entry& a, const Entry& b) { return a.hash < b.hash; };
  std::sort(current_.begin(), current_.end(), by_hash);
  std::vector<std::string> vanished;
  // Both sorted by hash: one merge pass finds the previous entries missing from the current ones.
  auto current = current_.begin();
  for (const Entry& entry : previous_) {
    while (current != current_.end() && current->hash < entry.hash) ++current;
    if (current == current_.end() || current->hash != entry.hash)
      vanished.emplace_back(previous_keys_, entry.offset, entry.length);
  }
  std::swap(previous_, current_);
  std::swap(previous_keys_, current_keys_);
  current_.clear();
  current_keys_.clear();
  return vanished;
}

}  // namespace bpfproc
