#include "bpfproc/web/scrape_source.h"

#include <exception>

#include <spdlog/spdlog.h>

#include "bpfproc/exposition/text_writer.h"

namespace bpfproc {

void ScrapeSource::write(std::string& text) const {
  const std::uint64_t scrape = ++scrapes_;
  text.clear();
  // Nothing below throws by design but allocation; this is the last line that keeps a scrape alive.
  try {
    std::shared_ptr<const ExporterSnapshot> snapshot = publisher_.fresh();
    if (!snapshot) return;
    std::vector<RemoteWriteStatus> remote_write;
    if (remote_write_) remote_write = remote_write_();
    write_exposition_text(*snapshot, {.scrapes = scrape, .remote_write = &remote_write}, text);
  } catch (const std::exception& error) {
    text.clear();
    spdlog::error("scrape failed: {}", error.what());
  }
}

}  // namespace bpfproc
