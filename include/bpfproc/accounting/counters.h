#pragma once
// Cumulative counters of a thread, a process or a group (scheduler, I/O, faults), in kernel units
// (ns, bytes, counts).
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <utility>

#include <linux/types.h>

#include "bpf/task_record.h"

namespace bpfproc {

// The slots of a run-queue latency histogram, allocated on the first write. With run-queue latency
// off (the default) they stay zero, and every Counters (several per process, one per thread)
// would otherwise carry 192 bytes of zeros: on a host of 50,000 processes, some 60 MiB.
// Reads of slots never written give 0 and allocate nothing.
class RunqueueSlots {
 public:
  using Array = std::array<std::uint64_t, RUNQUEUE_LATENCY_SLOTS>;

  RunqueueSlots() = default;
  RunqueueSlots(const RunqueueSlots& other) : slots_(other.slots_ ? std::make_unique<Array>(*other.slots_) : nullptr) {}
  RunqueueSlots(RunqueueSlots&&) noexcept = default;
  RunqueueSlots& operator=(const RunqueueSlots& other) {
    if (!other.slots_) slots_.reset();
    else if (slots_) *slots_ = *other.slots_;
    else slots_ = std::make_unique<Array>(*other.slots_);
    return *this;
  }
  RunqueueSlots& operator=(RunqueueSlots&&) noexcept = default;

  static constexpr std::size_t size() { return RUNQUEUE_LATENCY_SLOTS; }
  bool allocated() const { return slots_ != nullptr; }
  std::uint64_t operator[](std::size_t slot) const { return slots_ ? (*slots_)[slot] : 0; }
  const std::uint64_t* begin() const { return slots_ ? slots_->data() : kZeros.data(); }
  const std::uint64_t* end() const { return begin() + size(); }
  std::uint64_t back() const { return (*this)[size() - 1]; }
  // Writes: these allocate.
  std::uint64_t& operator[](std::size_t slot) { return writable()[slot]; }
  std::uint64_t* begin() { return writable().data(); }
  std::uint64_t* end() { return writable().data() + size(); }
  std::uint64_t& back() { return writable().back(); }
  bool operator==(const RunqueueSlots& other) const {
    return std::equal(std::as_const(*this).begin(), std::as_const(*this).end(), std::as_const(other).begin());
  }

 private:
  Array& writable() {
    if (!slots_) slots_ = std::make_unique<Array>();
    return *slots_;
  }
  static constexpr Array kZeros{};
  std::unique_ptr<Array> slots_;
};

// Run-queue latency as the kernel fills it: an exact sum and non-cumulative log2 slots, slot i
// holding waits of at most 2^(RUNQUEUE_LATENCY_FIRST_LOG2 + i) ns, the last one the longer ones.
struct RunqueueLatency {
  static constexpr std::size_t kSlots = RUNQUEUE_LATENCY_SLOTS;
  std::uint64_t sum_ns = 0;
  RunqueueSlots slots;

  static RunqueueLatency from(const runqueue_latency& raw) {
    RunqueueLatency latency;
    latency.sum_ns = raw.sum_ns;
    if (std::any_of(std::begin(raw.slots), std::end(raw.slots), [](__u64 slot) { return slot != 0; }))
      std::copy(std::begin(raw.slots), std::end(raw.slots), latency.slots.begin());
    return latency;
  }
  std::uint64_t count() const {
    std::uint64_t total = 0;
    for (std::uint64_t slot : slots) total += slot;
    return total;
  }
  // Upper bound of slot i in ns; the last slot has none (+Inf).
  static constexpr std::uint64_t slot_upper_bound_ns(std::size_t slot) {
    return std::uint64_t{1} << (RUNQUEUE_LATENCY_FIRST_LOG2 + slot);
  }
  bool operator==(const RunqueueLatency&) const = default;
};

struct Counters {
  std::uint64_t runtime_ns = 0;
  std::uint64_t user_ns = 0;    // user + system == runtime once split (see cpu_split.h)
  std::uint64_t system_ns = 0;
  std::uint64_t voluntary_switches = 0;
  std::uint64_t involuntary_switches = 0;
  std::uint64_t migrations = 0;
  std::uint64_t run_delay_ns = 0;
  std::uint64_t timeslices = 0;
  // I/O and page faults (bpf/task_record.h says what each counts).
  std::uint64_t read_chars = 0;
  std::uint64_t write_chars = 0;
  std::uint64_t read_syscalls = 0;
  std::uint64_t write_syscalls = 0;
  std::uint64_t read_bytes = 0;
  std::uint64_t write_bytes = 0;
  std::uint64_t minor_faults = 0;
  std::uint64_t major_faults = 0;
  RunqueueLatency runqueue_latency;  // waits since bpfproc attached

  // Counters without a histogram (the kernel keeps none for exited threads).
  static Counters from(const task_counters& raw) {
    return {raw.runtime_ns,   raw.user_ns,       raw.system_ns,      raw.voluntary_switches,
            raw.involuntary_switches, raw.migrations, raw.run_delay_ns, raw.timeslices,
            raw.read_chars,   raw.write_chars,   raw.read_syscalls,  raw.write_syscalls,
            raw.read_bytes,   raw.write_bytes,   raw.minor_faults,   raw.major_faults,
            {}};
  }
  // One thread's counters and histogram.
  static Counters of_thread(const task_record& record) {
    Counters counters = from(record.counters);
    counters.runqueue_latency = RunqueueLatency::from(record.runqueue_latency);
    return counters;
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
    operation(read_chars, other.read_chars);
    operation(write_chars, other.write_chars);
    operation(read_syscalls, other.read_syscalls);
    operation(write_syscalls, other.write_syscalls);
    operation(read_bytes, other.read_bytes);
    operation(write_bytes, other.write_bytes);
    operation(minor_faults, other.minor_faults);
    operation(major_faults, other.major_faults);
    operation(runqueue_latency.sum_ns, other.runqueue_latency.sum_ns);
    // Every operation leaves a counter as it is when the other's is 0: unwritten slots are skipped.
    if (!other.runqueue_latency.slots.allocated()) return;
    const RunqueueSlots& theirs = other.runqueue_latency.slots;
    for (std::size_t slot = 0; slot < RunqueueLatency::kSlots; ++slot)
      operation(runqueue_latency.slots[slot], theirs[slot]);
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
