// SPDX-License-Identifier: GPL-2.0
/* Task iterator: the per-thread counters of every live task, read at each collection.
 *
 * Hook: iter/task. Userspace reads the iterator's seq file and gets one task_record per thread.
 * Why: the kernel already keeps exact cumulative counters per task; reading them on demand costs
 * nothing between collections, unlike a sched_switch program that would pay on every switch.
 * Cost: about 0.6 µs per task per collection (8,000 tasks dump in about 5 ms); zero otherwise.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "task_counters.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool include_kernel_threads = false;

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct task_record record = {};

	if (!task) /* the final call, after the last task */
		return 0;
	if (!include_kernel_threads && is_kernel_thread(task))
		return 0;

	read_task_record(&record, task);
	if (record.flags & TASK_RECORD_LEADER)
		read_exited_thread_counters(&record.exited_threads, task);
	bpf_seq_write(seq, &record, sizeof(record));
	return 0;
}
