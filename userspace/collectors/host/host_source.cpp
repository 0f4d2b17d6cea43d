// Shared pieces of the host collectors.
#include "bpfproc/collectors/host/host_source.h"

#include <spdlog/spdlog.h>

namespace bpfproc {

HostFamily& add_host_family(ExporterSnapshot& snapshot, std::string name, std::string help, HostFamily::Type type) {
  return snapshot.host_families.emplace_back(HostFamily{std::move(name), std::move(help), type, {}});
}

void add_host_families(ExporterSnapshot& snapshot, std::vector<HostFamily> families) {
  for (HostFamily& family : families) snapshot.host_families.push_back(std::move(family));
}

std::uint64_t SourceWarning::failed(const Error& error) {
  if (!warned_)
    spdlog::warn("collector {}: {}; its metrics are not served until it can be read (logged once)", collector_,
                 error.message());
  warned_ = true;
  return 1;
}

void SourceWarning::succeeded() {
  if (warned_) spdlog::info("collector {}: its source can be read again", collector_);
  warned_ = false;
}

}  // namespace bpfproc
