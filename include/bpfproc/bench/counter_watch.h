#pragma once
// Counters read back scrape after scrape, as tools/soak checks the daemon over a long run: a
// counter never decreases while its series exists. A series that vanished and came back starts
// again from zero, which is the documented reset of a group removed after --group.retention.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/util/prometheus_text.h"

namespace bpfproc {

// Whether a sample is cumulative by its name: a counter (_total) or a histogram's or summary's
// _bucket, _count or _sum.
bool is_cumulative(std::string_view name);

struct CounterDecrease {
  std::string series;  // as in the exposition: name{label="value",...}
  std::map<std::string, std::string> labels;
  double before = 0;
  double after = 0;
  std::size_t scrape = 0;  // the scrape that saw it go down, from 0
};

class CounterWatch {
 public:
  // Takes the next scrape and returns the decreases it shows against the one before. Samples that
  // are not cumulative, and NaN values, are ignored.
  std::vector<CounterDecrease> observe(const std::vector<Sample>& samples);

  // What the matching series rose by over all scrapes, as Prometheus' increase() but exact: the sum
  // of their rises, where a series that appears after the first scrape counts from zero (a new or
  // returning group starts there). A decrease adds nothing.
  double increase(std::string_view name, const std::map<std::string, std::string>& labels = {}) const;

  // A decrease that observe() reported is known to be a reset the scrapes could not see (the
  // series was removed and came back between them): increase() counts its new value from zero.
  void count_as_reset(const CounterDecrease& decrease);

  std::size_t scrapes() const { return scrapes_; }
  std::size_t series() const { return series_.size(); }  // every cumulative series ever seen
  std::size_t returns() const { return returns_; }       // reappearances after an absence
  std::size_t resets() const { return resets_; }         // decreases counted as resets

 private:
  struct Series {
    std::string name;
    std::map<std::string, std::string> labels;
    double last = 0;
    std::size_t last_scrape = 0;
    double increase = 0;
  };
  std::map<std::string, Series> series_;  // by the series as exposed
  std::size_t scrapes_ = 0;
  std::size_t returns_ = 0;
  std::size_t resets_ = 0;
};

}  // namespace bpfproc
