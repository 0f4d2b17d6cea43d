#include "bpfproc/scrape_collectable.h"

#include <exception>

#include <spdlog/spdlog.h>

#include "bpfproc/exposition.h"

namespace bpfproc {

std::vector<prometheus::MetricFamily> ScrapeCollectable::Collect() const {
  // Nothing below throws by design; this is the last line that keeps a scrape alive regardless.
  try {
    return build_exposition(monitor_.collect());
  } catch (const std::exception& error) {
    spdlog::error("scrape failed: {}", error.what());
    return {};
  }
}

}  // namespace bpfproc
