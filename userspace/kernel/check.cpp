#include "bpfproc/kernel/check.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <thread>
#include <utility>

#include "bpfproc/kernel/bpf_collector.h"
#include "bpfproc/procfs/cgroup_tree.h"
#include "bpfproc/procfs/proc_cgroup.h"
#include "bpfproc/util/capabilities.h"
#include "bpfproc/util/whole_file.h"

namespace bpfproc {
namespace {

// The exit capture holds exiting tasks as referenced kptrs tagged "kptr" (the tag's meaning since
// 6.3) and takes them with the bpf_task_acquire/bpf_task_release kfuncs (trusted arguments, 6.2).
constexpr int kMinimumMajor = 6;
constexpr int kMinimumMinor = 3;

Requirement kernel_version() {
  const std::string release = kernel_release();
  int major = 0, minor = 0;
  std::sscanf(release.c_str(), "%d.%d", &major, &minor);
  const bool ok = major > kMinimumMajor || (major == kMinimumMajor && minor >= kMinimumMinor);
  return {"kernel version >= 6.3", ok, release};
}

Requirement kernel_btf() {
  const bool ok = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
  return {"kernel BTF (/sys/kernel/btf/vmlinux)", ok,
          ok ? "present" : "absent: needs a kernel built with CONFIG_DEBUG_INFO_BTF=y"};
}

// The effective capabilities decide, for root too: root in a container, or under
// `setpriv --bounding-set`, can lack them. The kernel takes CAP_SYS_ADMIN for CAP_BPF and
// CAP_PERFMON (bpf_capable, perfmon_capable), so it stands in for either.
Requirement privileges() {
  const std::string name = "privileges (root, or CAP_BPF + CAP_PERFMON + CAP_SYS_PTRACE)";
  const auto sets = thread_capabilities();
  if (!sets) return {name, false, "cannot read the effective capabilities"};
  auto has = [&](int capability) { return (sets->effective & capability_bit(capability)) != 0; };
  const bool admin = has(CAP_SYS_ADMIN);
  std::string lacking;
  for (const auto& [capability, cap_name] : {std::pair{CAP_BPF, "CAP_BPF"}, std::pair{CAP_PERFMON, "CAP_PERFMON"},
                                             std::pair{CAP_SYS_PTRACE, "CAP_SYS_PTRACE"}}) {
    if (has(capability) || (admin && capability != CAP_SYS_PTRACE)) continue;
    lacking += (lacking.empty() ? "" : ", ") + std::string(cap_name);
  }
  if (lacking.empty()) return {name, true, geteuid() == 0 ? "root" : "capabilities present"};
  return {name, false,
          std::string(geteuid() == 0 ? "root, but the" : "not root, and the") + " effective capabilities lack " + lacking +
              (lacking.starts_with("CAP_SYS_PTRACE") ? "" : " (CAP_SYS_ADMIN would stand in for CAP_BPF and CAP_PERFMON)")};
}

std::vector<Requirement> tracepoints() {
  std::vector<Requirement> found;
  struct btf* vmlinux = btf__load_vmlinux_btf();
  // sched_switch and the wakeups only serve run-queue latency; the exit capture needs no
  // per-switch program.
  for (const char* name : {"sched_process_fork", "sched_process_exec", "sched_process_exit", "sched_process_free",
                           "cgroup_attach_task", "sched_switch", "sched_wakeup", "sched_wakeup_new"}) {
    // tp_btf programs attach through the btf_trace_<name> typedef.
    const std::string type = std::string("btf_trace_") + name;
    const bool ok = vmlinux != nullptr && btf__find_by_name_kind(vmlinux, type.c_str(), BTF_KIND_TYPEDEF) > 0;
    const bool latency_only = std::string(name).starts_with("sched_switch") || std::string(name).starts_with("sched_wakeup");
    const bool moves = std::string(name) == "cgroup_attach_task";
    found.push_back({std::string("tracepoint ") + name + (latency_only ? " (run-queue latency)" : "") +
                         (moves ? " (cgroup moves)" : ""),
                     ok,
                     ok ? "in BTF" : "not found in kernel BTF"});
  }
  btf__free(vmlinux);
  return found;
}

// Exiting tasks are held until their final switch: a reference taken with a kfunc and kept in a
// map value as a kptr. The kfuncs are in BTF; kptr support itself shows in the load test.
std::vector<Requirement> kfuncs() {
  std::vector<Requirement> found;
  struct btf* vmlinux = btf__load_vmlinux_btf();
  for (const char* name : {"bpf_task_acquire", "bpf_task_release"}) {
    const bool ok = vmlinux != nullptr && btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC) > 0;
    found.push_back({std::string("kfunc ") + name + " (exit capture)", ok,
                     ok ? "in BTF" : "not found in kernel BTF: needs kernel >= 6.2 with CONFIG_BPF_SYSCALL"});
  }
  btf__free(vmlinux);
  return found;
}

Requirement load_test() {
  Requirement requirement{"BPF load test (iter/task, ring buffer, tp_btf programs, task kptrs in maps)", false, ""};
  // Every program, the opt-in run-queue latency one included, so that the check answers for all.
  auto collector =
      BpfCollector::open(BpfOptions{.include_kernel_threads = false, .cgroup_moves = true, .runqueue_latency = true});
  if (!collector) {
    requirement.detail = collector.error().message();
    return requirement;
  }
  auto tasks = (*collector)->read_tasks(BpfCollector::TaskPass::full);
  requirement.ok = tasks.ok() && !tasks->empty();
  requirement.detail = tasks.ok() ? "read " + std::to_string(tasks->size()) + " tasks" : tasks.error().message();
  return requirement;
}

}  // namespace

Requirement cgroup_fields(std::string_view mountinfo, std::string_view own_cgroup) {
  Requirement requirement{"cgroup fields ({{.Cgroup}}, {{.Unit}}, {{.ContainerID}}, {{.PodUID}}, cgroup:)", true, ""};
  const std::optional<std::string> mount = find_cgroup2_mount(mountinfo);
  bool v1 = false;
  if (auto lines = parse_proc_cgroup_lines(own_cgroup))
    for (const CgroupLine& line : *lines) v1 = v1 || line.hierarchy != 0;
  if (mount && !v1) {
    requirement.detail = "all: pure cgroup v2 at " + *mount;
  } else if (mount) {
    requirement.detail = "all: hybrid host, cgroup v2 at " + *mount +
                         "; Unit, ContainerID and PodUID from the v1 name=systemd, memory or cpu lines where v2 has none";
  } else {
    requirement.detail = "Unit, ContainerID and PodUID only, from the v1 lines: no cgroup2 mount, so Cgroup is empty "
                         "and cgroup: never matches";
  }
  return requirement;
}

std::string kernel_release() {
  utsname host{};
  uname(&host);
  return host.release;
}

std::vector<Requirement> check_requirements(bool with_load_test) {
  std::vector<Requirement> requirements{kernel_version(), kernel_btf(), privileges()};
  for (Requirement& tracepoint : tracepoints()) requirements.push_back(std::move(tracepoint));
  for (Requirement& kfunc : kfuncs()) requirements.push_back(std::move(kfunc));
  const auto mountinfo = read_whole_file("/proc/self/mountinfo");
  const auto own_cgroup = read_whole_file("/proc/self/cgroup");
  requirements.push_back(cgroup_fields(mountinfo ? *mountinfo : "", own_cgroup ? *own_cgroup : ""));
  // Loading needs the rest; without it the load test would only repeat the first failure.
  if (with_load_test && first_missing(requirements).empty()) requirements.push_back(load_test());
  return requirements;
}

std::string first_missing(const std::vector<Requirement>& requirements) {
  for (const Requirement& requirement : requirements)
    if (!requirement.ok) return "missing: " + requirement.name + ": " + requirement.detail;
  return {};
}

bool bpf_needs_capability_after_load() {
  bool needs = true;  // when in doubt, keep it: without it every collection would fail
  std::thread probe([&needs] {
    if (!set_thread_capabilities({})) return;
    union bpf_attr attr{};
    attr.info.bpf_fd = static_cast<__u32>(-1);
    const long result = syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
    needs = result == 0 || errno == EPERM;
  });
  probe.join();
  return needs;
}

}  // namespace bpfproc
