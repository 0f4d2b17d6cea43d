/* Reads a task's identity and scheduler counters into a task_record. Shared by the task iterator
 * (live tasks) and the lifecycle programs (exec, exit), so both report exactly the same fields. */
#ifndef BPFPROC_TASK_COUNTERS_BPF_H
#define BPFPROC_TASK_COUNTERS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "task_record.h"

#define PF_KTHREAD 0x00200000  /* include/linux/sched.h; not in BTF because it is a #define */

static __always_inline bool is_kernel_thread(const struct task_struct *task)
{
	return BPF_CORE_READ(task, flags) & PF_KTHREAD;
}

static __always_inline void read_task_counters(struct task_counters *counters,
					       const struct task_struct *task)
{
	counters->runtime_ns = BPF_CORE_READ(task, se.sum_exec_runtime);
	counters->user_ns = BPF_CORE_READ(task, utime);
	counters->system_ns = BPF_CORE_READ(task, stime);
	counters->voluntary_switches = BPF_CORE_READ(task, nvcsw);
	counters->involuntary_switches = BPF_CORE_READ(task, nivcsw);
	counters->migrations = BPF_CORE_READ(task, se.nr_migrations);
	counters->run_delay_ns = BPF_CORE_READ(task, sched_info.run_delay);
	counters->timeslices = BPF_CORE_READ(task, sched_info.pcount);
}

/* The part of signal_struct that accumulates threads which already exited (and were reaped). */
static __always_inline void read_exited_thread_counters(struct task_counters *counters,
							const struct task_struct *task)
{
	const struct signal_struct *signal = BPF_CORE_READ(task, signal);

	counters->runtime_ns = BPF_CORE_READ(signal, sum_sched_runtime);
	counters->user_ns = BPF_CORE_READ(signal, utime);
	counters->system_ns = BPF_CORE_READ(signal, stime);
	counters->voluntary_switches = BPF_CORE_READ(signal, nvcsw);
	counters->involuntary_switches = BPF_CORE_READ(signal, nivcsw);
}

static __always_inline void read_task_record(struct task_record *record,
					     const struct task_struct *task)
{
	record->tid = BPF_CORE_READ(task, pid);
	record->tgid = BPF_CORE_READ(task, tgid);
	record->parent_tgid = BPF_CORE_READ(task, real_parent, tgid);
	record->uid = BPF_CORE_READ(task, real_cred, uid.val);
	record->start_ns = BPF_CORE_READ(task, start_boottime);
	record->process_start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	record->flags = record->tid == record->tgid ? TASK_RECORD_LEADER : 0;
	read_task_counters(&record->counters, task);
	BPF_CORE_READ_STR_INTO(&record->comm, task, comm);
}

#endif /* BPFPROC_TASK_COUNTERS_BPF_H */
