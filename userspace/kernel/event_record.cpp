#include "bpfproc/kernel/event_record.h"

#include <cstdint>
#include <cstring>

namespace bpfproc {

namespace {

// Copies: ring buffer memory is only 8-byte aligned and is released after the callback.
template <typename Event>
bool copy_event(std::string_view record, Event& event) {
  if (record.size() < sizeof(Event)) return false;
  std::memcpy(&event, record.data(), sizeof(Event));
  return true;
}

}  // namespace

EventDelivery deliver_event_record(std::string_view record, EventSink& sink) {
  std::uint32_t kind = 0;
  if (record.size() < sizeof(kind)) return EventDelivery::malformed;
  std::memcpy(&kind, record.data(), sizeof(kind));
  switch (kind) {
    case EVENT_FORK: {
      fork_event event;
      if (!copy_event(record, event)) return EventDelivery::malformed;
      sink.on_fork(event);
      return EventDelivery::delivered;
    }
    case EVENT_EXEC: {
      static thread_local exec_event event;  // 1 KiB: kept off the stack of the poll loop
      if (!copy_event(record, event)) return EventDelivery::malformed;
      sink.on_exec(event);
      return EventDelivery::delivered;
    }
    case EVENT_EXEC_CONTEXT: {
      auto context = parse_exec_context(record);
      if (!context) return EventDelivery::malformed;
      sink.on_exec_context(*context);
      return EventDelivery::delivered;
    }
    case EVENT_EXIT: {
      exit_event event;
      if (!copy_event(record, event)) return EventDelivery::malformed;
      sink.on_exit(event);
      return EventDelivery::delivered;
    }
    case EVENT_CGROUP_MOVE: {
      cgroup_move_event event;
      if (!copy_event(record, event)) return EventDelivery::malformed;
      sink.on_cgroup_move(event);
      return EventDelivery::delivered;
    }
    default:
      return EventDelivery::unknown_kind;
  }
}

}  // namespace bpfproc
