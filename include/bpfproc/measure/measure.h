#pragma once
// `bpfproc measure -- CMD [ARGS...]`: runs CMD and reports what it and every descendant used,
// exactly, like `time -v` for a whole process tree.
#include <chrono>
#include <string>
#include <vector>

namespace bpfproc {

struct MeasureOptions {
  std::vector<std::string> command;  // CMD and its arguments, run with execvp
  bool json = false;                 // JSON on stdout instead of the readable report on stderr
  std::chrono::milliseconds sample_interval{100};  // how often memory is read
  std::string procfs_root = "/proc";
};

// Runs the command and prints the report. Returns the command's exit code (128 + N when signal N
// killed it), 126/127 when it could not be executed, 1 when bpfproc itself cannot start (the
// command is then not run), and 2 when no command was given.
int run_measure(const MeasureOptions& options);

}  // namespace bpfproc
