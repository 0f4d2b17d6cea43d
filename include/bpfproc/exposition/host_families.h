#pragma once
// The host collectors' families (node_exporter's node_* names, --collector.host), written as the
// snapshot holds them. The e2e test host_collectors.sh checks them against the real node_exporter.
#include "bpfproc/exposition/text_format.h"
#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

void write_host_families(const ExporterSnapshot& snapshot, TextWriter& writer);

// Bytes to reserve for them: about 100 per sample (name, labels, value).
std::size_t host_families_size(const ExporterSnapshot& snapshot);

}  // namespace bpfproc
