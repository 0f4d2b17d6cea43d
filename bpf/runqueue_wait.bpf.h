/* Per-task run-queue wait histograms, kept in task-local storage.
 *
 * Why task storage and not a hash map keyed by tgid: the per-switch program then does no hash
 * lookup and no atomic add. A task is switched in on one CPU at a time, so only that CPU writes
 * its histogram; the storage lives and dies with the task, so there is no table to fill up or
 * clean. Userspace sums threads into processes, exactly as it does for the CPU counters: the task
 * iterator reads each live thread's histogram, and the exit event carries the final one.
 *
 * No timestamp of our own is kept: the kernel's sched_info.last_queued is the start of the wait.
 *
 * Every BPF object declares this map; the lifecycle object, always loaded, owns it, and userspace
 * makes the task iterator and the run-queue latency object reuse its file descriptor. */
#ifndef BPFPROC_RUNQUEUE_WAIT_BPF_H
#define BPFPROC_RUNQUEUE_WAIT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "task_record.h"

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);  /* required for task storage */
	__type(key, int);
	__type(value, struct runqueue_latency);
} runqueue_waits SEC(".maps");

/* Now, by the clock of the run queue `task` is on: the scheduler's own clock (rq->clock), which
 * its sched_info accounting (last_queued, run_delay) also uses. sched_switch runs right after
 * __schedule updated it (update_rq_clock), and reading it is three loads, where
 * bpf_ktime_get_ns() costs ~36 ns on a VM: 2.5% of a 1.5 µs switch for one read. se.cfs_rq is set
 * for tasks of every class; without CONFIG_FAIR_GROUP_SCHED there is no cfs_rq->rq, and the
 * monotonic clock is used instead. */
static __always_inline __u64 scheduler_clock_ns(const struct task_struct *task)
{
	if (bpf_core_field_exists(struct cfs_rq, rq))
		return task->se.cfs_rq->rq->clock;
	return bpf_ktime_get_ns();
}

/* ceil(log2(value)) for value >= 1, without a loop (BPF has no count-leading-zeros). */
static __always_inline __u32 ceil_log2(__u64 value)
{
	__u64 v = value - 1;
	__u32 shift, bits = 0;

	if (value <= 1)
		return 0;
	shift = (v > 0xFFFFFFFFull) << 5; v >>= shift; bits |= shift;
	shift = (v > 0xFFFF) << 4; v >>= shift; bits |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; bits |= shift;
	shift = (v > 0xF) << 2; v >>= shift; bits |= shift;
	shift = (v > 0x3) << 1; v >>= shift; bits |= shift;
	bits |= (__u32)(v >> 1);
	return bits + 1;
}

static __always_inline __u32 latency_slot(__u64 wait_ns)
{
	__u32 log2 = ceil_log2(wait_ns);

	if (log2 <= RUNQUEUE_LATENCY_FIRST_LOG2)
		return 0;
	log2 -= RUNQUEUE_LATENCY_FIRST_LOG2;
	return log2 < RUNQUEUE_LATENCY_SLOTS ? log2 : RUNQUEUE_LATENCY_SLOTS - 1;
}

/* `task` is being switched in: one observation of the wait that ends now, if the kernel timed it
 * (last_queued is 0 when the task was not queued since its last run, e.g. a yield with nothing
 * else runnable). Creates the storage if needed, so that NULL always means a failure (no memory,
 * or the kernel's per-CPU task-storage lock was busy), which the caller counts. */
static __always_inline int record_wait(struct task_struct *task)
{
	struct runqueue_latency *latency;
	__u64 queued_ns, wait_ns;
	__u32 slot;

	if (!(queued_ns = task->sched_info.last_queued))
		return 0;
	latency = bpf_task_storage_get(&runqueue_waits, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!latency)
		return -1;
	wait_ns = scheduler_clock_ns(task) - queued_ns;
	if ((__s64)wait_ns < 0) /* queued on another CPU, whose clock ran ahead */
		wait_ns = 0;
	latency->sum_ns += wait_ns;
	if (wait_ns > latency->max_ns)
		latency->max_ns = wait_ns;
	slot = latency_slot(wait_ns);
	if (slot < RUNQUEUE_LATENCY_SLOTS) /* always; the verifier wants to see it */
		latency->slots[slot] += 1;
	return 0;
}

/* A task without storage has no wait recorded (run-queue latency is off, or it never waited):
 * zeros. The record may be a ring buffer reservation, which holds whatever an earlier event left
 * there, so it must be written either way. */
static __always_inline void read_runqueue_latency(struct runqueue_latency *latency,
						  struct task_struct *task)
{
	struct runqueue_latency *stored = bpf_task_storage_get(&runqueue_waits, task, 0, 0);

	if (stored)
		*latency = *stored;
	else
		__builtin_memset(latency, 0, sizeof(*latency));
}

#endif /* BPFPROC_RUNQUEUE_WAIT_BPF_H */
