#include "bpfproc/bench/counter_watch.h"

#include <cmath>

namespace bpfproc {
namespace {

// The series as the exposition writes it, so that a decrease can be reported as found.
std::string series_key(const Sample& sample) {
  std::string key = sample.name;
  if (sample.labels.empty()) return key;
  char separator = '{';
  for (const auto& [name, value] : sample.labels) {
    key += separator;
    key += name + "=\"";
    for (const char character : value) {
      if (character == '\n') key += "\\n";
      else if (character == '"' || character == '\\') key += {'\\', character};
      else key += character;
    }
    key += '"';
    separator = ',';
  }
  return key + '}';
}

bool labels_include(const std::map<std::string, std::string>& labels, const std::map<std::string, std::string>& wanted) {
  for (const auto& [name, value] : wanted) {
    const auto found = labels.find(name);
    if (found == labels.end() || found->second != value) return false;
  }
  return true;
}

}  // namespace

bool is_cumulative(std::string_view name) {
  return name.ends_with("_total") || name.ends_with("_bucket") || name.ends_with("_count") || name.ends_with("_sum");
}

std::vector<CounterDecrease> CounterWatch::observe(const std::vector<Sample>& samples) {
  std::vector<CounterDecrease> decreases;
  const std::size_t scrape = scrapes_++;
  for (const Sample& sample : samples) {
    if (!is_cumulative(sample.name) || std::isnan(sample.value)) continue;
    std::string key = series_key(sample);
    auto found = series_.find(key);
    if (found == series_.end()) {
      // New after the first scrape: it started from zero since then.
      const double increase = scrape == 0 ? 0 : sample.value;
      series_.emplace(std::move(key), Series{sample.name, sample.labels, sample.value, scrape, increase});
      continue;
    }
    Series& series = found->second;
    if (series.last_scrape + 1 < scrape) {  // absent in between: removed and back, from zero
      ++returns_;
      series.increase += sample.value;
    } else if (sample.value < series.last) {
      decreases.push_back({found->first, series.labels, series.last, sample.value, scrape});
    } else {
      series.increase += sample.value - series.last;
    }
    series.last = sample.value;
    series.last_scrape = scrape;
  }
  return decreases;
}

void CounterWatch::count_as_reset(const CounterDecrease& decrease) {
  auto found = series_.find(decrease.series);
  if (found == series_.end()) return;
  found->second.increase += decrease.after;
  ++resets_;
}

double CounterWatch::increase(std::string_view name, const std::map<std::string, std::string>& labels) const {
  double total = 0;
  for (const auto& [key, series] : series_)
    if (series.name == name && labels_include(series.labels, labels)) total += series.increase;
  return total;
}

}  // namespace bpfproc
