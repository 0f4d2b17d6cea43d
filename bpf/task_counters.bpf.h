/* Reads a task's identity and scheduler counters into a task_record. Shared by the task iterator
 * (live tasks) and the lifecycle programs (exec, exit), so both report exactly the same fields.
 *
 * The task pointers these programs get (iter/task, tp_btf) are BTF-typed and trusted, so fields
 * are read with direct loads: the verifier turns them into fault-safe loads inline, with CO-RE
 * relocations from vmlinux.h's preserve_access_index. That is several times cheaper than one
 * bpf_probe_read_kernel call per field, which matters at ~25 fields x 10,000 tasks per scrape. */
#ifndef BPFPROC_TASK_COUNTERS_BPF_H
#define BPFPROC_TASK_COUNTERS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "kernel_flags.h"
#include "runqueue_wait.bpf.h"
#include "task_record.h"

static __always_inline bool is_kernel_thread(const struct task_struct *task)
{
	return task->flags & PF_KTHREAD;
}

static __always_inline void read_io_counters(struct task_counters *counters,
					     const struct task_io_accounting *ioac,
					     unsigned long min_flt, unsigned long maj_flt)
{
	counters->read_chars = ioac->rchar;
	counters->write_chars = ioac->wchar;
	counters->read_syscalls = ioac->syscr;
	counters->write_syscalls = ioac->syscw;
	counters->read_bytes = ioac->read_bytes;
	counters->write_bytes = ioac->write_bytes;
	counters->minor_faults = min_flt;
	counters->major_faults = maj_flt;
}

static __always_inline void read_task_counters(struct task_counters *counters,
					       const struct task_struct *task)
{
	counters->runtime_ns = task->se.sum_exec_runtime;
	counters->user_ns = task->utime;
	counters->system_ns = task->stime;
	counters->voluntary_switches = task->nvcsw;
	counters->involuntary_switches = task->nivcsw;
	counters->migrations = task->se.nr_migrations;
	counters->run_delay_ns = task->sched_info.run_delay;
	counters->timeslices = task->sched_info.pcount;
	read_io_counters(counters, &task->ioac, task->min_flt, task->maj_flt);
}

/* The part of signal_struct that accumulates threads which already exited (and were reaped). */
static __always_inline void read_exited_thread_counters(struct task_counters *counters,
							const struct task_struct *task)
{
	const struct signal_struct *signal = task->signal;

	counters->runtime_ns = signal->sum_sched_runtime;
	counters->user_ns = signal->utime;
	counters->system_ns = signal->stime;
	counters->voluntary_switches = signal->nvcsw;
	counters->involuntary_switches = signal->nivcsw;
	/* Not kept for exited threads; written anyway, as exec records are ring buffer reservations
	 * that hold an earlier event's bytes. */
	counters->migrations = 0;
	counters->run_delay_ns = 0;
	counters->timeslices = 0;
	read_io_counters(counters, &signal->ioac, signal->min_flt, signal->maj_flt);
}

static __always_inline void read_task_record(struct task_record *record,
					     struct task_struct *task)
{
	record->tid = task->pid;
	record->tgid = task->tgid;
	record->parent_tgid = task->real_parent->tgid;
	record->uid = task->real_cred->euid.val;  /* /proc/PID/status's second Uid */
	record->start_ns = task->start_boottime;
	record->process_start_ns = task->group_leader->start_boottime;
	record->flags = record->tid == record->tgid ? TASK_RECORD_LEADER : 0;
	record->state = task->__state | task->exit_state;
	record->wchan = 0;  /* iterator records fill it (task_fingerprint.bpf.h) */
	read_task_counters(&record->counters, task);
	read_runqueue_latency(&record->runqueue_latency, task);
	/* comm is 16 bytes and always NUL-terminated: two 8-byte loads, no helper. */
	__builtin_memcpy(record->comm, task->comm, TASK_COMM_SIZE);
}

#endif /* BPFPROC_TASK_COUNTERS_BPF_H */
