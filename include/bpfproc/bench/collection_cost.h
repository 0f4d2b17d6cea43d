#pragma once
// What the daemon costs with many processes on the host: `swarm N` keeps N processes sleeping,
// a fresh daemon starts (so its memory refresher's first pass covers all of them and its RSS is
// for this N alone), and after that pass and one warm-up scrape, `scrapes` scrapes over HTTP.
#include <cstdint>
#include <string>

#include "bpfproc/bench/bench_report.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct CollectionCostOptions {
  std::string daemon_path;  // the bpfproc binary
  std::string swarm_path;
  std::uint64_t processes = 0;
  unsigned scrapes = 0;
};

Result<CollectionCost> measure_collection_cost(const CollectionCostOptions& options);

}  // namespace bpfproc
