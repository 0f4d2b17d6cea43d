/* Where a sleeping task waits, as /proc/PID/wchan shows it (get_wchan): the first return address
 * on its kernel stack outside the scheduler's and the locks' text. Only for process-exporter's
 * namedprocess_namegroup_threads_wchan (--compat.process-exporter); off, it costs nothing.
 * Cost when on: one stack unwind per record sent (bpf_get_task_stack), about a microsecond. */
#ifndef BPFPROC_WCHAN_BPF_H
#define BPFPROC_WCHAN_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define WCHAN_FRAMES 16

extern const void __sched_text_start __ksym;
extern const void __sched_text_end __ksym;
extern const void __lock_text_start __ksym;
extern const void __lock_text_end __ksym;

const volatile bool read_wchan = false;

static __always_inline bool in_sched_functions(__u64 ip)
{
	return (ip >= (__u64)&__sched_text_start && ip < (__u64)&__sched_text_end) ||
	       (ip >= (__u64)&__lock_text_start && ip < (__u64)&__lock_text_end);
}

static __always_inline __u64 task_wchan(struct task_struct *task)
{
	__u64 frames[WCHAN_FRAMES];
	long bytes;

	/* get_wchan: none for a task that runs or waits on a run queue. */
	if (!read_wchan || task->__state == 0 || task->on_rq)
		return 0;
	bytes = bpf_get_task_stack(task, frames, sizeof(frames), 0);
	for (int frame = 0; frame < WCHAN_FRAMES; frame++) {
		if (frame * (long)sizeof(__u64) >= bytes)
			break;
		if (!in_sched_functions(frames[frame]))
			return frames[frame];
	}
	return 0;
}

#endif /* BPFPROC_WCHAN_BPF_H */
