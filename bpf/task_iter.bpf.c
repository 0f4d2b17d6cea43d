// SPDX-License-Identifier: GPL-2.0
/* Task iterator: the per-thread counters of live tasks, read at each collection.
 *
 * Hook: iter/task. Userspace reads the iterator's seq file and gets one task_record per thread.
 * Why: the kernel already keeps exact cumulative counters per task; reading them on demand costs
 * nothing between collections, unlike a sched_switch program that would pay on every switch.
 *
 * Changes only: a task whose counters did not move since this iterator last emitted it is
 * skipped, so userspace pays only for tasks that ran (and new ones). What was emitted is kept in
 * task storage (last_emitted), which lives and dies with the task. Userspace keeps its last
 * reading of every skipped task, and asks for a full pass (every task, whatever its storage says)
 * by raising full_pass; it does so at start, after lost events, and now and then as a safety net.
 *
 * What "did not move" means: the fingerprint below. Every counter of task_counters moves only
 * while the task runs, except run_delay (a queued task that migrates gets the part before the
 * move at dequeue); the comm (PR_SET_NAME, or a write to /proc/PID/comm from outside), the parent
 * (reparenting when it dies) and, for a leader, the counters of its exited threads (in
 * signal_struct) change without the task running, so they are in the fingerprint too.
 * Cost: the walk itself (about 1 µs per task on these VMs, mostly the kernel's pid lookups) plus a
 * task storage lookup and a few loads; a skipped task writes nothing. Task storage that cannot be
 * had makes the task be emitted every time: more work, never a stale reading.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "task_counters.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool include_kernel_threads = false;

/* Raised by userspace for a pass that emits every task. */
__u32 full_pass = 0;

struct fingerprint {
	__u64 runtime_ns;
	__u64 run_delay_ns;
	__u64 switches;
	__u64 exited_threads_runtime_ns;  /* leaders only */
	__u64 comm[TASK_COMM_SIZE / 8];
	__u32 parent_tgid;
	__u32 pass;                        /* full_pass when emitted */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);  /* required for task storage */
	__type(key, int);
	__type(value, struct fingerprint);
} last_emitted SEC(".maps");

static __always_inline void take_fingerprint(struct fingerprint *print, const struct task_struct *task,
					     bool leader)
{
	print->runtime_ns = task->se.sum_exec_runtime;
	print->run_delay_ns = task->sched_info.run_delay;
	print->switches = task->nvcsw + task->nivcsw;
	print->exited_threads_runtime_ns = leader ? task->signal->sum_sched_runtime : 0;
	__builtin_memcpy(print->comm, task->comm, TASK_COMM_SIZE);
	print->parent_tgid = task->real_parent->tgid;
	print->pass = full_pass;
}

static __always_inline bool same_fingerprint(const struct fingerprint *a, const struct fingerprint *b)
{
	return a->runtime_ns == b->runtime_ns && a->run_delay_ns == b->run_delay_ns &&
	       a->switches == b->switches && a->exited_threads_runtime_ns == b->exited_threads_runtime_ns &&
	       a->comm[0] == b->comm[0] && a->comm[1] == b->comm[1] &&
	       a->parent_tgid == b->parent_tgid && a->pass == b->pass;
}

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct task_record record = {};
	struct fingerprint now, *last;
	bool leader;

	if (!task) /* the final call, after the last task */
		return 0;
	if (!include_kernel_threads && is_kernel_thread(task))
		return 0;

	leader = task->pid == task->tgid;
	take_fingerprint(&now, task, leader);
	last = bpf_task_storage_get(&last_emitted, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (last && same_fingerprint(last, &now))
		return 0;

	read_task_record(&record, task);
	if (leader)
		read_exited_thread_counters(&record.exited_threads, task);
	/* When the seq_file buffer is full, the write fails and the kernel runs this program again
	 * for the same task in the next read(): only a record that was written counts as emitted. */
	if (bpf_seq_write(seq, &record, sizeof(record)) == 0 && last)
		*last = now;
	return 0;
}
