#pragma once
// `bpfproc check`: what bpfproc needs from the kernel and from its privileges, each item ok or
// missing. The same checks explain a failed start in one line.
#include <string>
#include <string_view>
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

// Whether bpf() on what is already loaded (maps, links, programs) needs CAP_BPF: kernels before 6.5
// with kernel.unprivileged_bpf_disabled set refuse every bpf() command to a thread without it,
// later ones check only when something is created. Tried, in a thread that drops every
// capability, with a command that fails on a bad fd (EBADF) unless it is refused first (EPERM).
bool bpf_needs_capability_after_load();

// Which cgroup fields this host can give (never missing: a field it cannot give is empty), from
// /proc/self/mountinfo and /proc/self/cgroup: pure v2, hybrid or v1 only.
Requirement cgroup_fields(std::string_view mountinfo, std::string_view own_cgroup);

// The first missing requirement as one line ("missing: BTF (/sys/kernel/btf/vmlinux): ..."),
// or empty when all are met.
std::string first_missing(const std::vector<Requirement>& requirements);

}  // namespace bpfproc
