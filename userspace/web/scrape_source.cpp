#include "bpfproc/web/scrape_collectable.h"

#include <exception>

#include <spdlog/spdlog.h>

#include "bpfproc/exposition/exposition.h"

namespace bpfproc {

std::vector<prometheus::MetricFamily> ScrapeCollectable::Collect() const {
  const std::uint64_t scrape = ++scrapes_;
  // Nothing below throws by design; this is the last line that keeps a scrape alive regardless.
  try {
    std::shared_ptr<const ExporterSnapshot> snapshot = publisher_.fresh();
    if (!snapshot) return {};
    return build_exposition(*snapshot, {.scrapes = scrape});
  } catch (const std::exception& error) {
    spdlog::error("scrape failed: {}", error.what());
    return {};
  }
}

}  // namespace bpfproc
