#pragma once
// The /health document: whether the programs are attached, each collector's last run, lost
// events and the age of the snapshot it describes. Read from the latest snapshot, never collected.
#include <string>

#include "bpfproc/snapshot/snapshot.h"

namespace bpfproc {

// JSON; `snapshot` null means no collection has finished yet.
std::string health_json(const ExporterSnapshot* snapshot);

}  // namespace bpfproc
