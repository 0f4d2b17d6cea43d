#pragma once
// `bpfproc check`: what bpfproc needs from the kernel and from its privileges, each item ok or
// missing. The same checks explain a failed start in one line.
#include <string>
#include <vector>

namespace bpfproc {

struct Requirement {
  std::string name;
  bool ok = false;
  std::string detail;  // what was found, or what is missing and how to get it
};

// The running kernel's release, e.g. "6.18.0-1-amd64" (uname -r).
std::string kernel_release();

// With load_test, also loads and runs the real programs once (what `bpfproc check` reports);
// without it, only the cheap checks that explain a failed start.
std::vector<Requirement> check_requirements(bool load_test = true);

// The first missing requirement as one line ("missing: BTF (/sys/kernel/btf/vmlinux): ..."),
// or empty when all are met.
std::string first_missing(const std::vector<Requirement>& requirements);

}  // namespace bpfproc
