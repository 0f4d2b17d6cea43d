/* What the task iterator and the task scan last emitted for each task (see task_iter.bpf.c for
 * why this fingerprint is enough), and the record both send for a task that changed.
 *
 * Both objects declare last_emitted; the iterator's object owns it, and userspace makes the scan
 * reuse its file descriptor, so that a task emitted by one is not emitted again by the other. */
#ifndef BPFPROC_TASK_FINGERPRINT_BPF_H
#define BPFPROC_TASK_FINGERPRINT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "process_gauges.bpf.h"
#include "task_counters.bpf.h"
#include "wchan.bpf.h"

struct fingerprint {
	__u64 runtime_ns;
	__u32 pass;                        /* the full pass it was emitted in, or after */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);  /* required for task storage */
	__type(key, int);
	__type(value, struct fingerprint);
} last_emitted SEC(".maps");

static __always_inline void take_fingerprint(struct fingerprint *print, const struct task_struct *task,
					     __u32 pass)
{
	print->runtime_ns = task->se.sum_exec_runtime;
	print->pass = pass;
	print->pad = 0;
}

static __always_inline bool same_fingerprint(const struct fingerprint *a, const struct fingerprint *b)
{
	return a->runtime_ns == b->runtime_ns && a->pass == b->pass;
}

/* Every field of the record (the caller zeroes it first: padding and a non-leader's
 * exited_threads stay zero); the process's gauges when with_gauges, which the walks ask for at
 * the first task of each process they send. */
static __always_inline void fill_task_record(struct task_record *record, struct task_struct *task,
					     bool with_gauges)
{
	read_task_record(record, task);
	if (record->flags & TASK_RECORD_LEADER)
		read_exited_thread_counters(&record->exited_threads, task);
	if (with_gauges) {
		read_process_gauges(&record->gauges, task);
		record->flags |= TASK_RECORD_GAUGES;
	}
	record->wchan = task_wchan(task);
}

#endif /* BPFPROC_TASK_FINGERPRINT_BPF_H */
