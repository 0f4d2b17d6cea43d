/* Loss counters shared by every BPF object of bpfproc: one per-CPU slot per enum lost_reason
 * (task_record.h). Each object declares the map; userspace makes them all use the lifecycle
 * object's (bpf_map__reuse_fd), so one set of counters covers every program. */
#ifndef BPFPROC_LOST_EVENTS_BPF_H
#define BPFPROC_LOST_EVENTS_BPF_H

#include "task_record.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LOST_REASON_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} lost_events SEC(".maps");

static __always_inline void count_lost(__u32 reason)
{
	__u64 *count = bpf_map_lookup_elem(&lost_events, &reason);

	if (count)
		*count += 1; /* per-CPU slot: no other writer */
}

#endif /* BPFPROC_LOST_EVENTS_BPF_H */
