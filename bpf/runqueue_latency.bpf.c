// SPDX-License-Identifier: GPL-2.0
/* Run-queue latency (opt-in, --collector.runqueue-latency): a histogram of each task's waits for a
 * CPU, kept in the task storage of runqueue_wait.bpf.h.
 *
 * Hook: tp_btf/sched_switch, at the switch-in of next. Nothing else: no wakeup programs.
 * Why one program suffices: the kernel stamps next->sched_info.last_queued (by the run queue's
 * clock) when a task is queued, after a wakeup and after a preemption alike, and clears it in
 * sched_info_arrive, which runs after this tracepoint. So at switch-in, rq clock − last_queued is
 * the wait that the kernel is about to add to run_delay; on this kernel it predicted that exactly
 * for 99.98% of 104,264 switch-ins (DESIGN.md, "Run-queue waits without wakeup hooks"; the rest
 * ended in a migration). The kernel's own timestamp replaces the one the sched_wakeup,
 * sched_wakeup_new and preemption stamps used to store, and those three hooks stop costing.
 * Cost: on every context switch, one task-storage lookup (creating it on a task's first switch-in)
 * and a few loads and adds: no clock helper (scheduler_clock_ns reads rq->clock), no hash map, no
 * atomics. Loaded only when the option is on; the daemon's default pays nothing here.
 * Loss: task storage that cannot be had (no memory, or the kernel's per-CPU storage lock busy) is
 * counted per CPU in lost_events[LOST_TASK_STORAGE]; userspace exports it.
 *
 * Maps: runqueue_waits and lost_events are the lifecycle object's (bpf_collector.cpp hands their
 * file descriptors to this object before it loads), so the task iterator and the exit records read
 * the histograms this program fills, and one loss counter covers every program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lost_events.bpf.h"
#include "runqueue_wait.bpf.h"
#include "task_counters.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool include_kernel_threads = false;


/* Tasks whose waits are measured: the same ones the counters cover, never the idle task. */
static __always_inline bool latency_tracked(const struct task_struct *task)
{
	return task->pid != 0 && (include_kernel_threads || !is_kernel_thread(task));
}

SEC("tp_btf/sched_switch")
int BPF_PROG(record_runqueue_wait, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	if (latency_tracked(next) && record_wait(next) < 0)
		count_lost(LOST_TASK_STORAGE);
	return 0;
}
