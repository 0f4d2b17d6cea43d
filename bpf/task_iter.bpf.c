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
 * What "did not move" means: the fingerprint below, kept to the fewest cache lines, because on a
 * crowded host most of a collection's cost is cache misses on tasks that did not run. Every
 * counter of task_counters moves only while the task runs, and a run moves sum_exec_runtime; the
 * one exception, run_delay of a queued task that migrates, is caught when the task then runs.
 * The process gauges can: reclaim lowers the resident pages of a process that sleeps. Those stay
 * at their last reading until one of its threads runs, or the next full pass.
 * What can change without the task running is not read again by userspace after a process's
 * first record, when the task has no fingerprint yet: the comm and parent (its group is decided
 * then or at exec, which sends its own event), and a leader's exited_threads counters (its
 * baseline; later thread exits arrive as events). A consumer that needs them fresh must add them.
 * Task storage that cannot be had makes the task be emitted every time: more work, never a
 * stale reading.
 *
 * Two walks share the fingerprint (task_fingerprint.bpf.h):
 * - this one, dump_task, for full passes (any number of tasks, through the seq file's pages), and
 *   for changes passes on kernels without the open-coded task iterator;
 * - task_scan.bpf.c for changes passes: three to four times cheaper per task.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "task_fingerprint.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool include_kernel_threads = false;

/* Raised by userspace for a pass that emits every task. */
__u32 full_pass = 0;

/* The process of the last record written; userspace zeroes it before each walk. This walk goes
 * in tid order, so a process's threads are in a row only when they were created in a row: the
 * others repeat its gauges. */
__u32 last_tgid = 0;

/* The record is built here: at 560 bytes it does not fit the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct task_record);
} record_scratch SEC(".maps");

/* Writes the task's record; true if it was written. Out of line, so that the record is zeroed
 * only for tasks that changed, not for every task the walk visits. */
static __noinline bool emit_task(struct seq_file *seq, struct task_struct *task)
{
	__u32 zero = 0;
	struct task_record *record = bpf_map_lookup_elem(&record_scratch, &zero);

	if (!record)
		return false;
	__builtin_memset(record, 0, sizeof(*record));
	fill_task_record(record, task, task->tgid != last_tgid);
	if (bpf_seq_write(seq, record, sizeof(*record)) != 0)
		return false;
	last_tgid = task->tgid;
	return true;
}

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct fingerprint now, *last;

	if (!task) /* the final call, after the last task */
		return 0;
	if (!include_kernel_threads && is_kernel_thread(task))
		return 0;

	take_fingerprint(&now, task, full_pass);
	last = bpf_task_storage_get(&last_emitted, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (last && same_fingerprint(last, &now))
		return 0;
	/* When the seq_file buffer is full, the write fails and the kernel runs this program again
	 * for the same task in the next read(): only a record that was written counts as emitted. */
	if (emit_task(ctx->meta->seq, task) && last)
		*last = now;
	return 0;
}
