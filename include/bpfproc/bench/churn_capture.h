#pragma once
// Whether the CPU of short-lived processes reaches the exposition: churn runs `burn MS` children
// one after another for a few seconds, while a daemon groups churn and all its children into one
// group. The group's exported CPU is compared with what the kernel reports for churn and its
// children when churn is reaped (wait4).
#include <cstdint>
#include <string>

#include "bpfproc/bench/bench_report.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct ChurnCaptureOptions {
  std::string daemon_path;
  std::string churn_path;
  std::string burn_path;
  double seconds = 0;                   // roughly how long churn runs
  std::uint64_t burn_milliseconds = 0;  // CPU of each child
};

Result<ChurnCapture> measure_churn_capture(const ChurnCaptureOptions& options);

}  // namespace bpfproc
