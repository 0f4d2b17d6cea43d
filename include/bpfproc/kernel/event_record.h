#pragma once
// The lifecycle ring buffer's records taken apart as libbpf hands them over: raw bytes of any
// size, only 8-byte aligned, whose first 4 bytes say the kind (bpf/task_record.h, enum event_kind).
// Kept apart from the collector so that tests and the fuzzer can feed it any bytes.

#include <string_view>

#include "bpfproc/kernel/event_sink.h"

namespace bpfproc {

enum class EventDelivery {
  delivered,
  malformed,     // shorter than its kind's struct, or an exec context whose sizes do not fit
  unknown_kind,  // a newer BPF side's kind: skipped
};

// Hands one record to `sink` as the struct of its kind, or says why it did not.
EventDelivery deliver_event_record(std::string_view record, EventSink& sink);

}  // namespace bpfproc
