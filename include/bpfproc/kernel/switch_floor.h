#pragma once
// The empty sched_switch program of bpf/switch_floor.bpf.c, attached while the object lives:
// bench's measure of the physical floor of any program on the context-switch path.
#include <memory>
#include <vector>

#include "bpfproc/kernel/program_stats.h"
#include "bpfproc/util/result.h"

struct switch_floor_bpf;

namespace bpfproc {

class SwitchFloor {
 public:
  static Result<std::unique_ptr<SwitchFloor>> open();
  ~SwitchFloor();
  SwitchFloor(const SwitchFloor&) = delete;
  SwitchFloor& operator=(const SwitchFloor&) = delete;

  std::vector<ProgramStats> program_stats() const;

 private:
  SwitchFloor() = default;
  switch_floor_bpf* skeleton_ = nullptr;
};

}  // namespace bpfproc
