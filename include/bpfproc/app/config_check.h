#pragma once
// `bpfproc check-config FILE...`: grouping and web config files checked without starting
// anything, as the daemon would load them.
#include <string>
#include <vector>

namespace bpfproc {

// Tells the two kinds apart by their keys (a web config has only exporter-toolkit's) and checks
// each: a web config's certificate, key and CA files too. Prints "FILE: ok, <what it holds>" for
// each good file and one "bpfproc: FILE:LINE: reason" line for each bad one. 2 if any is bad or
// has a warning (a key the grouping config ignores), else 0.
int run_check_config(const std::vector<std::string>& files);

}  // namespace bpfproc
