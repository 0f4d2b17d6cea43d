#pragma once
// Cumulative scheduler counters of a thread, a process or a group, in kernel units (ns, counts).
#include <algorithm>
#include <cstdint>

#include <linux/types.h>

#include "bpf/task_record.h"

namespace bpfproc {

struct Counters {
  std::uint64_t runtime_ns = 0;
  std::uint64_t user_ns = 0;    // user + system == runtime once split (see cpu_split.h)
  std::uint64_t system_ns = 0;
  std::uint64_t voluntary_switches = 0;
  std::uint64_t involuntary_switches = 0;
  std::uint64_t migrations = 0;
  std::uint64_t run_delay_ns = 0;
  std::uint64_t timeslices = 0;

  static Counters from(const task_counters& raw) {
    return {raw.runtime_ns, raw.user_ns, raw.system_ns, raw.voluntary_switches,
            raw.involuntary_switches, raw.migrations, raw.run_delay_ns, raw.timeslices};
  }

  template <typename Operation>
  void each(const Counters& other, Operation operation) {
    operation(runtime_ns, other.runtime_ns);
    operation(user_ns, other.user_ns);
    operation(system_ns, other.system_ns);
    operation(voluntary_switches, other.voluntary_switches);
    operation(involuntary_switches, other.involuntary_switches);
    operation(migrations, other.migrations);
    operation(run_delay_ns, other.run_delay_ns);
    operation(timeslices, other.timeslices);
  }
  Counters& operator+=(const Counters& other) {
    each(other, [](std::uint64_t& a, std::uint64_t b) { a += b; });
    return *this;
  }
  // Saturating: a counter that would go below zero stays at zero.
  Counters& operator-=(const Counters& other) {
    each(other, [](std::uint64_t& a, std::uint64_t b) { a = a > b ? a - b : 0; });
    return *this;
  }
  // Field-wise maximum: how a newer reading is merged into an older one without going backwards.
  Counters& merge_max(const Counters& other) {
    each(other, [](std::uint64_t& a, std::uint64_t b) { a = std::max(a, b); });
    return *this;
  }
  bool operator==(const Counters&) const = default;
};

inline Counters operator+(Counters a, const Counters& b) { return a += b; }
inline Counters operator-(Counters a, const Counters& b) { return a -= b; }

}  // namespace bpfproc
