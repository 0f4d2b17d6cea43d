// SPDX-License-Identifier: GPL-2.0
/* Process lifecycle: fork, exec and exit events, delivered to userspace through one ring buffer.
 *
 * Hooks and why:
 * - tp_btf/sched_process_fork: the parent of each new process, so a child that matches no rule
 *   can join its parent's group even after the parent is gone. Threads are skipped.
 * - tp_btf/sched_process_exec: the identity a process gets at exec (comm, executable, first
 *   arguments) and its counters at that moment, so CPU used before an exec stays with the old
 *   group. Userspace prefers /proc while the process lives; these are the fallback. When a rule
 *   needs them, an exec context record follows (exec_context.bpf.h): the resolved executable,
 *   the cwd and the cgroup paths, so that a process gone before /proc was read is named alike.
 * - Exits, with no program on the switch path. A task's counters are final only after its last
 *   context switch, and no hook fires there except sched_switch, which would cost every switch
 *   on the host. The two exit hooks each fall short on their own (kernel 6.18, measured):
 *   sched_process_exit fires for every task, but before exit_mm and the final schedule (it misses
 *   up to 9% of a process that frees 2 GiB); sched_process_free fires after both with final
 *   values, but is not delivered for about 0.1% of tasks under churn. So:
 *   - tp_btf/sched_process_exit takes a reference on the task (bpf_task_acquire) and parks it in
 *     `held_exits`, keyed by (start_boottime, tid).
 *   - A sweep (sweep_held_exits) takes each reference out; when the task is TASK_DEAD and no
 *     longer on a CPU, its final switch is done: it reads the final counters, sends the exit
 *     record and releases the task; otherwise it puts the reference back. Sweeps run from the
 *     exit and free programs (at most once per SWEEP_INTERVAL_NS) and from sweep_exits, a
 *     syscall program that userspace runs at every event drain and at shutdown.
 *   - tp_btf/sched_process_free is the fallback for a task that could not be held (table full):
 *     it sends that task's final values. If free never comes for it, the values read at exit
 *     are sent after FALLBACK_WAIT_NS. Each fallback counts in lost_events[LOST_EXIT_FALLBACK].
 *   A held reference is an rcu_users reference: it delays the task's free until the release, so
 *   a held task's free comes after its exit record and sends nothing.
 * Run-queue latency is a separate object (runqueue_latency.bpf.c), loaded only when it is on;
 * this one owns the task storage it fills (runqueue_waits), which the exit records read.
 * Cost: exit: one hash update, one queue push and one kfunc plus, at most once per millisecond, a
 * sweep: one queue pop and hash lookup per held exit (held_keys) and one ~400-byte record per
 * finished task. Free: one hash lookup and
 * the rate-limited sweep. Nothing runs per context switch.
 * Fork and exec copy one record each, with the task's cgroup v2 id (exec also copies up to 768
 * bytes of path and arguments;
 * the exec context, when sent, costs what exec_context.bpf.h says).
 * Loss: a full ring buffer is counted per CPU in lost_events (a held exit is kept and sent at a
 * later sweep instead); an exit that could not be held is counted as exit_fallback, and, if its
 * exit-time values had to be sent (no free, or the fallback table full too), as exit_inexact:
 * those miss what the task used after sched_process_exit (exit_mm: ~10 µs for a small process, up
 * to 9% of one that frees 2 GiB). Userspace exports all of them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "exec_context.bpf.h"
#include "lost_events.bpf.h"
#include "task_counters.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_DEAD 0x00000080 /* include/linux/sched.h */

/* Referenced kptrs in map values. clang 14 drops btf_type_tag on a pointer to a struct but keeps
 * it on a pointer to a typedef, and the kernel looks through the typedef. The tag must be "kptr"
 * (a referenced kptr since 6.3; "kptr_ref" is refused). */
typedef struct task_struct task_struct_t;
#define __kptr __attribute__((btf_type_tag("kptr")))

extern struct task_struct *bpf_task_acquire(struct task_struct *task) __ksym;
extern void bpf_task_release(struct task_struct *task) __ksym;

const volatile bool include_kernel_threads = false;
/* Parts of the exec context record the grouping rules use; none: no record is sent. */
const volatile bool exec_context_exe = false;
const volatile bool exec_context_cwd = false;
const volatile bool exec_context_cgroups = false;
/* Whether /proc/PID/cgroup lists the v2 hierarchy ("0::"), which it does once cgroup2 is mounted. */
const volatile bool cgroup_v2_listed = true;

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


/* A quarter of the buffer; userspace sets it when it resizes the buffer (--bpf.ringbuf-bytes). */
const volatile __u64 events_wakeup_bytes = EVENTS_SIZE / 4;

/* Wake the consumer only when the buffer is getting full; otherwise it drains on its timer, so a
 * burst of short-lived processes does not cost one userspace wakeup per event. */
static __always_inline __u64 submit_flags(void)
{
	__u64 pending = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	return pending > events_wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* With --collector.runqueue-latency, a new task's wait storage is made at its fork, so that its
 * switch-ins only look it up. A lookup succeeds even while the CPU's task-storage lock is busy
 * (a task iterator preempted in its own storage call holds it); creating does not, and a failure
 * loses a wait (1 of ~650,000 new tasks in a 30-minute soak, when its first switch-in made it).
 * Now both the fork and the first switch-in would have to fail. Not counted here: the switch-in
 * tries again and counts. */
const volatile bool runqueue_latency = false;

/* The task's cgroup on the v2 hierarchy (the default one, whether or not cgroup2 is mounted):
 * what cgroup_id() and bpf_get_current_cgroup_id() return, its kernfs node id, which is the
 * inode number of its directory on a cgroup2 mount. Three loads. */
static __always_inline __u64 cgroup_v2_id(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	struct fork_event *event;

	if (runqueue_latency && (include_kernel_threads || !is_kernel_thread(child)))
		bpf_task_storage_get(&runqueue_waits, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
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
	event->cgroup_id = cgroup_v2_id(child);
	bpf_ringbuf_submit(event, submit_flags());
	return 0;
}

/* After the exec event, so that userspace has the new program when the context comes. */
static __always_inline void send_exec_context(struct task_struct *task)
{
	struct exec_context_scratch *context;
	__u64 size;

	context = read_exec_context(task, exec_context_exe, exec_context_cwd, exec_context_cgroups,
				    cgroup_v2_listed);
	if (!context)
		return;
	size = sizeof(context->header) + context->header.exe_size + context->header.cwd_size +
	       context->header.cgroups_size;
	if (size > sizeof(context->header) + EXEC_CONTEXT_DATA_SIZE)  /* cannot happen; for the verifier */
		return;
	if (bpf_ringbuf_output(&events, context, size, submit_flags()))
		count_lost(LOST_RINGBUF_FULL);
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
	__builtin_memset(&event->task.gauges, 0, sizeof(event->task.gauges));  /* not a reading */
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
	event->cgroup_id = cgroup_v2_id(task);
	bpf_ringbuf_submit(event, submit_flags());

	if (exec_context_exe || exec_context_cwd || exec_context_cgroups)
		send_exec_context(task);
	return 0;
}

/* ---- Cgroup moves ---- */

/* Loaded only when a grouping rule reads the cgroup (userspace turns autoload on). Fires once per
 * move, after it (cgroup_attach_task: writes to cgroup.procs or cgroup.threads, systemd, container
 * runtimes), never per switch. Its reading splits the task's CPU as the exec's does: the kernel
 * charges the time since the task's last runtime update to the cgroup it is in at the next one,
 * so the runtime read here is what the old cgroup got. For a whole process, the reading is the
 * leader's (and what exited threads left in signal_struct): its other live threads are split at
 * what the last collection read of them. v1 hierarchies (hybrid hosts) are ignored. */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(handle_cgroup_move, struct cgroup *destination, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	struct cgroup_move_event *event;

	if (BPF_CORE_READ(destination, root, hierarchy_id) != 0)
		return 0;
	if (!include_kernel_threads && is_kernel_thread(task))
		return 0;
	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		count_lost(LOST_RINGBUF_FULL);
		return 0;
	}
	event->kind = EVENT_CGROUP_MOVE;
	event->pad = 0;
	event->cgroup_id = BPF_CORE_READ(destination, kn, id);
	read_task_record(&event->task, task);
	if (threadgroup)
		read_exited_thread_counters(&event->task.exited_threads, task);
	else
		__builtin_memset(&event->task.exited_threads, 0, sizeof(event->task.exited_threads));
	__builtin_memset(&event->task.gauges, 0, sizeof(event->task.gauges));  /* not a reading */
	bpf_ringbuf_submit(event, submit_flags());
	return 0;
}

/* ---- Exits ---- */

struct exit_key {
	__u64 start_ns;  /* start_boottime: with tid, unique even when tids are reused */
	__u32 tid;
	__u32 pad;
};

struct held_exit {
	task_struct_t __kptr *task;  /* NULL while a sweep has it out */
	__u64 exit_ns;               /* CLOCK_BOOTTIME at sched_process_exit */
};

/* Tasks between sched_process_exit and the sweep after their final switch. What bounds it: the
 * exits of one sweep interval plus the tasks still exiting. A task is there from the start of
 * do_exit (exit_mm, files, ...) to the first sweep after its final switch; sweeps run every
 * millisecond while tasks exit or are freed and at every event drain (100 ms) otherwise. The
 * prototype's churn storm (81,550 exits on 2 CPUs) never filled 4,096 entries, and the 5,000-
 * process storm test (tests/bpf/exit_capture_test.cpp) reports no exit_fallback with 1,024; the
 * peak occupancy itself was not measured. A sweep visits the held entries only (held_keys).
 * Beyond it: exit_fallback. */
#define HELD_EXITS_SIZE 1024
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HELD_EXITS_SIZE);
	__type(key, struct exit_key);
	__type(value, struct held_exit);
} held_exits SEC(".maps");

/* The keys of held_exits, so that a sweep visits what is held rather than every bucket of the
 * hash: walking 1,024 buckets cost 10-15 µs per sweep, paid by one exit in each millisecond.
 * A key is pushed once its task reference is stored, so a popped key always finds its task (no
 * other sweep can have it out: each held exit has one key here). Same capacity as the table:
 * a push cannot fail while its entry exists. */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, HELD_EXITS_SIZE);
	__type(value, struct exit_key);
} held_keys SEC(".maps");

/* Exits that could not be held: the record read at sched_process_exit, waiting for the task's
 * sched_process_free to replace its counters with the final ones. Filled only when held_exits is
 * full, so it is allocated on demand. 1,024 records of 408 bytes at most (0.4 MiB). */
#define FALLBACK_EXITS_SIZE 1024
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FALLBACK_EXITS_SIZE);
	__type(key, struct exit_key);
	__type(value, struct exit_event);
} fallback_exits SEC(".maps");

/* Kernel-side sweeps run at most this often: a sweep walks the whole table, so it must not run
 * at every exit of a storm. A held exit waits at most this long after its final switch while
 * other tasks exit, or until the next event drain when none do. */
#define SWEEP_INTERVAL_NS 1000000ull
/* A fallback exit whose free has not come after this long is sent with its exit-time values.
 * Frees came 17 ms (median) to 27 ms (max) after the final switch; 1 s is far beyond. */
#define FALLBACK_WAIT_NS 1000000000ull

__s64 held_count;       /* entries holding a reference; approximate under races, only a hint */
__s64 fallback_count;   /* entries in fallback_exits; idem */
__u64 last_sweep_ns;    /* bpf_ktime_get_ns() of the last kernel-side sweep */

static __always_inline bool exit_tracked(const struct task_struct *task)
{
	return include_kernel_threads || !is_kernel_thread(task);
}

static __always_inline void read_exit_record(struct exit_event *event, struct task_struct *task,
					     __u64 exit_ns)
{
	event->kind = EVENT_EXIT;
	event->pad = 0;
	event->time_ns = exit_ns;
	read_task_record(&event->task, task);
	/* A ring buffer reservation holds what an earlier event left there: what exit records never
	 * carry must still be written, as the layout promises zeros. */
	__builtin_memset(&event->task.exited_threads, 0, sizeof(event->task.exited_threads));
	__builtin_memset(&event->task.gauges, 0, sizeof(event->task.gauges));
	/* signal->live reaches 0 when the last thread of the process has entered do_exit(). */
	if (task->signal->live.counter == 0)
		event->task.flags |= TASK_RECORD_GROUP_DEAD;
}

/* Sends the final record of `task`; false if the ring buffer is full. */
static __always_inline bool send_exit(struct task_struct *task, __u64 exit_ns)
{
	struct exit_event *event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);

	if (!event)
		return false;
	read_exit_record(event, task, exit_ns);
	bpf_ringbuf_submit(event, submit_flags());
	return true;
}

struct sweep_state {
	__u32 pending;             /* keys pushed back: tasks not finished yet */
	bool went_round;           /* first_back is set */
	struct exit_key first_back;
};

/* Pops one held key; sends its exit if the task's final switch is done, else pushes the key back.
 * Returns 1 (stop) when the queue is empty, or when the first key this sweep pushed back comes
 * round again: every held exit was then visited once. */
static long sweep_one(__u32 index, struct sweep_state *state)
{
	struct exit_key key;
	struct held_exit *held;
	struct task_struct *task, *other;
	unsigned int task_state;
	int on_cpu;

	if (bpf_map_pop_elem(&held_keys, &key))
		return 1;
	if (state->went_round && key.tid == state->first_back.tid && key.start_ns == state->first_back.start_ns) {
		bpf_map_push_elem(&held_keys, &key, 0);
		return 1;
	}
	held = bpf_map_lookup_elem(&held_exits, &key);
	if (!held)  /* cannot happen: only the sweep that sends an exit deletes its entry */
		return 0;
	task = bpf_kptr_xchg(&held->task, NULL);
	if (!task)  /* cannot happen either (see held_keys); dropped rather than kept forever */
		return 0;
	/* TASK_DEAD is set while the task still runs its final schedule (on_cpu == 1); on_cpu goes
	 * to 0 in finish_task_switch, after the last runtime and sched_info update. So __state
	 * first, then on_cpu: x86 keeps the loads in order, the empty asm keeps the compiler from
	 * reordering them. */
	task_state = *(volatile unsigned int *)&task->__state;
	asm volatile("" ::: "memory");
	on_cpu = *(volatile int *)&task->on_cpu;
	asm volatile("" ::: "memory"); /* and the counters only after on_cpu */
	if (!(task_state & TASK_DEAD) || on_cpu || !send_exit(task, held->exit_ns)) {
		other = bpf_kptr_xchg(&held->task, task);
		if (other)  /* cannot happen: the slot was empty; released rather than leaked */
			bpf_task_release(other);
		bpf_map_push_elem(&held_keys, &key, 0);
		if (!state->went_round) {
			state->went_round = true;
			state->first_back = key;
		}
		state->pending++;
		return 0;
	}
	bpf_task_release(task);
	__sync_fetch_and_sub(&held_count, 1);
	bpf_map_delete_elem(&held_exits, &key);
	return 0;
}

static long age_fallback(struct bpf_map *map, struct exit_key *key, struct exit_event *record,
			 __u64 *now)
{
	struct exit_event *event;

	if (*now - record->time_ns < FALLBACK_WAIT_NS)
		return 0;
	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event)
		return 1;  /* full: try again at the next drain */
	__builtin_memcpy(event, record, sizeof(*event));
	/* Whoever deletes the entry sends it: the free program may be racing for it. */
	if (bpf_map_delete_elem(map, key)) {
		bpf_ringbuf_discard(event, BPF_RB_NO_WAKEUP);
		return 0;
	}
	bpf_ringbuf_submit(event, submit_flags());
	__sync_fetch_and_sub(&fallback_count, 1);
	count_lost(LOST_EXIT_INEXACT);
	return 0;
}

/* Each held exit once (see sweep_one); the bound is only for the verifier. */
static __always_inline __u32 sweep_held_exits(void)
{
	struct sweep_state state = {};

	bpf_loop(HELD_EXITS_SIZE + 1, sweep_one, &state, 0);
	return state.pending;
}

/* From the exit and free programs: only when something is held, and not more than once per
 * SWEEP_INTERVAL_NS unless the table is half full. */
static __always_inline void sweep_if_due(void)
{
	__u64 now;

	if (held_count <= 0)
		return;
	now = bpf_ktime_get_ns();
	if (now - last_sweep_ns < SWEEP_INTERVAL_NS && held_count < HELD_EXITS_SIZE / 2)
		return;
	last_sweep_ns = now;
	sweep_held_exits();
}

/* The table is full (or the reference could not be taken): keep the exit-time record for the
 * free program to complete, or send it now if that table is full too. */
static __always_inline void fall_back(struct task_struct *task, struct exit_key *key,
				      __u64 exit_ns)
{
	struct exit_event *record;

	count_lost(LOST_EXIT_FALLBACK);
	record = bpf_ringbuf_reserve(&events, sizeof(*record), 0);
	if (!record) {
		count_lost(LOST_RINGBUF_FULL);
		return;
	}
	read_exit_record(record, task, exit_ns);
	/* The ring buffer reservation doubles as the scratch space (408 bytes do not fit the
	 * 512-byte stack next to the rest). */
	if (bpf_map_update_elem(&fallback_exits, key, record, BPF_NOEXIST) == 0) {
		__sync_fetch_and_add(&fallback_count, 1);
		bpf_ringbuf_discard(record, BPF_RB_NO_WAKEUP);
		return;
	}
	count_lost(LOST_EXIT_INEXACT);
	bpf_ringbuf_submit(record, submit_flags());
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *task, bool group_dead)
{
	struct exit_key key = {};
	struct held_exit init = {}, *held;
	struct task_struct *reference, *other;
	__u64 exit_ns = bpf_ktime_get_boot_ns();

	sweep_if_due();
	if (!exit_tracked(task))
		return 0;
	key.start_ns = task->start_boottime;
	key.tid = task->pid;
	init.exit_ns = exit_ns;
	if (bpf_map_update_elem(&held_exits, &key, &init, BPF_NOEXIST)) {
		fall_back(task, &key, exit_ns);
		return 0;
	}
	held = bpf_map_lookup_elem(&held_exits, &key);
	if (!held)
		return 0;  /* cannot happen: just inserted, and only this task's exit deletes it */
	reference = bpf_task_acquire(task);
	if (!reference) {
		bpf_map_delete_elem(&held_exits, &key);
		fall_back(task, &key, exit_ns);
		return 0;
	}
	other = bpf_kptr_xchg(&held->task, reference);
	if (other)
		bpf_task_release(other);
	__sync_fetch_and_add(&held_count, 1);
	/* Only now can a sweep find it. */
	bpf_map_push_elem(&held_keys, &key, 0);
	return 0;
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(handle_free, struct task_struct *task)
{
	struct exit_key key = {};
	struct exit_event *record, *event;

	if (fallback_count > 0) {
		key.start_ns = task->start_boottime;
		key.tid = task->pid;
		record = bpf_map_lookup_elem(&fallback_exits, &key);
		if (record) {
			event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
			if (!event) {
				/* Left in the table: its exit-time values go out after the wait. */
				count_lost(LOST_RINGBUF_FULL);
			} else {
				/* The final values; the exit time stays the one read at exit. */
				read_exit_record(event, task, record->time_ns);
				/* Whoever deletes the entry sends it: the aging sweep may race. */
				if (bpf_map_delete_elem(&fallback_exits, &key)) {
					bpf_ringbuf_discard(event, BPF_RB_NO_WAKEUP);
				} else {
					bpf_ringbuf_submit(event, submit_flags());
					__sync_fetch_and_sub(&fallback_count, 1);
				}
			}
		}
	}
	sweep_if_due();
	return 0;
}

/* Run by userspace (BPF_PROG_TEST_RUN) at every event drain and at shutdown: finishes the held
 * exits whose final switch is done, and sends fallback exits whose free never came. Returns how
 * many held exits are still pending. */
SEC("syscall")
int sweep_exits(void *context)
{
	__u64 now = bpf_ktime_get_boot_ns();

	if (fallback_count > 0)
		bpf_for_each_map_elem(&fallback_exits, age_fallback, &now, 0);
	return sweep_held_exits();
}
