#include "bpfproc/kernel/switch_floor.h"

#include <bpf/libbpf.h>

#include <cerrno>

#include "switch_floor.skel.h"

namespace bpfproc {

Result<std::unique_ptr<SwitchFloor>> SwitchFloor::open() {
  std::unique_ptr<SwitchFloor> floor(new SwitchFloor());
  floor->skeleton_ = switch_floor_bpf__open_and_load();
  if (floor->skeleton_ == nullptr) return Error{"cannot load the empty sched_switch program", "bpf", errno};
  if (int error = switch_floor_bpf__attach(floor->skeleton_))
    return Error{"cannot attach the empty sched_switch program", "bpf", -error};
  return floor;
}

SwitchFloor::~SwitchFloor() { switch_floor_bpf__destroy(skeleton_); }

std::vector<ProgramStats> SwitchFloor::program_stats() const { return read_program_stats(skeleton_->obj); }

}  // namespace bpfproc
