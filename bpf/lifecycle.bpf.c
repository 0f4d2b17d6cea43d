// SPDX-License-Identifier: GPL-2.0
/* Process lifecycle: fork, exec and exit events, delivered to userspace through one ring buffer.
 *
 * Hooks and why:
 * - tp_btf/sched_process_fork: the parent of each new process, so a child that matches no rule
 *   can join its parent's group even after the parent is gone. Threads are skipped.
 * - tp_btf/sched_process_exec: the identity a process gets at exec (comm, executable, first
 *   arguments) and its counters at that moment, so CPU used before an exec stays with the old
 *   group. Userspace prefers /proc while the process lives; these are the fallback.
 * - tp_btf/sched_switch with prev_state TASK_DEAD: a task's final counters, taken at the last
 *   switch-out of its life, when its runtime has been updated for the last time. Processes that
 *   start and exit between two collections are counted this way.
 * Run-queue latency is a separate object (runqueue_latency.bpf.c); this one owns the task storage
 * it fills (runqueue_waits), which the exit records read.
 * Cost: sched_switch runs on every context switch. It only tests one argument and returns, unless
 * the task is dying; then it copies one ~400-byte record (well under 1 µs per exit).
 * Fork and exec copy one record each (exec also copies up to 768 bytes of path and arguments).
 * Loss: a full ring buffer is counted per CPU in lost_events; userspace exports it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "task_counters.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_RUNNING 0x00000000 /* include/linux/sched.h */
#define TASK_DEAD 0x00000080

const volatile bool include_kernel_threads = false;

/* 2 MiB holds about 1,600 exec events (the largest kind, ~1.2 KiB). Userspace drains it on a
 * timer (kEventDrainInterval in include/bpfproc/kernel/bpf_collector.h), and at once when a
 * quarter of it is filled, so it keeps up with thousands of execs per second. Its pages count
 * twice in the daemon's RSS (libbpf maps the data area twice), which is why it is not larger.
 * Must be a power of two and a multiple of the page size. */
#define EVENTS_SIZE (2 * 1024 * 1024)
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVENTS_SIZE);
} events SEC(".maps");

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

/* Wake the consumer only when the buffer is getting full; otherwise it drains on its timer, so a
 * burst of short-lived processes does not cost one userspace wakeup per event. */
static __always_inline __u64 submit_flags(void)
{
	__u64 pending = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	return pending > EVENTS_SIZE / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	struct fork_event *event;

	if (child->pid != child->tgid) /* a new thread, not a new process */
		return 0;
	if (!include_kernel_threads && is_kernel_thread(child))
		return 0;

	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		count_lost(LOST_RINGBUF_FULL);
		return 0;
	}
	event->kind = EVENT_FORK;
	event->pid = child->pid;
	event->start_ns = child->start_boottime;
	event->parent_tgid = parent->tgid;
	event->pad = 0;
	event->parent_start_ns = parent->group_leader->start_boottime;
	__builtin_memcpy(event->comm, child->comm, TASK_COMM_SIZE);
	bpf_ringbuf_submit(event, submit_flags());
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *task, pid_t old_tid, struct linux_binprm *bprm)
{
	struct exec_event *event;
	unsigned long arg_start, arg_end, size;

	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		count_lost(LOST_RINGBUF_FULL);
		return 0;
	}
	event->kind = EVENT_EXEC;
	event->old_tid = old_tid;
	event->pad = 0;
	read_task_record(&event->task, task);
	read_exited_thread_counters(&event->task.exited_threads, task);
	if (bpf_probe_read_kernel_str(event->filename, sizeof(event->filename), bprm->filename) < 0)
		event->filename[0] = '\0';

	/* The new arguments were just copied onto the new stack, so they are resident. */
	arg_start = task->mm->arg_start;
	arg_end = task->mm->arg_end;
	size = arg_end > arg_start ? arg_end - arg_start : 0;
	if (size > EXEC_ARGS_SIZE)
		size = EXEC_ARGS_SIZE;
	if (size && bpf_probe_read_user(event->args, size, (const void *)arg_start) < 0)
		size = 0;
	event->args_size = size;
	bpf_ringbuf_submit(event, submit_flags());
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(handle_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	struct exit_event *event;

	if (!(prev_state & TASK_DEAD))
		return 0;
	if (!include_kernel_threads && is_kernel_thread(prev))
		return 0;

	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		count_lost(LOST_RINGBUF_FULL);
		return 0;
	}
	event->kind = EVENT_EXIT;
	event->pad = 0;
	event->time_ns = bpf_ktime_get_boot_ns();
	read_task_record(&event->task, prev);
	/* signal->live reaches 0 when the last thread of the process has entered do_exit(). */
	if (prev->signal->live.counter == 0)
		event->task.flags |= TASK_RECORD_GROUP_DEAD;
	bpf_ringbuf_submit(event, submit_flags());
	return 0;
}
