#include "bpfproc/kernel/program_stats.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

namespace bpfproc {

std::vector<ProgramStats> read_program_stats(const bpf_object* object) {
  std::vector<ProgramStats> stats;
  bpf_program* program = nullptr;
  while ((program = bpf_object__next_program(object, program)) != nullptr) {
    const int fd = bpf_program__fd(program);
    if (fd < 0) continue;  // not loaded (autoload off)
    bpf_prog_info info{};
    std::uint32_t length = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &length) != 0) continue;
    stats.push_back({bpf_program__name(program), info.run_cnt, info.run_time_ns,
                     static_cast<std::uint32_t>(info.xlated_prog_len / sizeof(bpf_insn)), info.recursion_misses,
                     info.id});
  }
  return stats;
}

}  // namespace bpfproc
