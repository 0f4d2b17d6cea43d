#pragma once
// `bpfproc catalogue [--group G] [--format table|yaml]`: prints the built-in catalogue of
// well-known programs, the one a `- use: catalogue` rule classifies by.
#include <string>

namespace bpfproc {

// 0 after printing; 2 with one line on stderr for an unknown group or format.
int run_catalogue(const std::string& group, const std::string& format);

}  // namespace bpfproc
