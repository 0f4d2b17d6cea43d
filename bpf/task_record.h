/* Plain-C records shared by the BPF programs and userspace. The includer provides __u32/__u64
 * (vmlinux.h in BPF, <linux/types.h> in C++); the layout asserts at the end hold on both sides. */
#ifndef BPFPROC_TASK_RECORD_H
#define BPFPROC_TASK_RECORD_H

#include "layout_assert.h"

#define TASK_COMM_SIZE 16   /* TASK_COMM_LEN */

/* Cumulative scheduler counters of one task (thread), as the kernel keeps them. */
struct task_counters {
	__u64 runtime_ns;            /* se.sum_exec_runtime: exact on-CPU time */
	__u64 user_ns;               /* utime: sampled at ticks, used only for the user/system split */
	__u64 system_ns;             /* stime: idem */
	__u64 voluntary_switches;    /* nvcsw */
	__u64 involuntary_switches;  /* nivcsw */
	__u64 migrations;            /* se.nr_migrations */
	__u64 run_delay_ns;          /* sched_info.run_delay: time spent runnable but waiting */
	__u64 timeslices;            /* sched_info.pcount: times it was given a CPU */
	/* I/O and faults, as /proc/PID/io and stat count them (task_io_accounting, min_flt, maj_flt). */
	__u64 read_chars;            /* ioac.rchar: bytes through read-like syscalls, cache hits included */
	__u64 write_chars;           /* ioac.wchar */
	__u64 read_syscalls;         /* ioac.syscr */
	__u64 write_syscalls;        /* ioac.syscw */
	__u64 read_bytes;            /* ioac.read_bytes: bytes the task made storage read */
	__u64 write_bytes;           /* ioac.write_bytes: bytes it dirtied or wrote direct to storage */
	__u64 minor_faults;          /* min_flt */
	__u64 major_faults;          /* maj_flt */
};

/* What one process holds now, whichever of its threads reads it: sent with the first record of
 * each process in a walk (TASK_RECORD_GAUGES). */
struct process_gauges {
	__u64 virtual_pages;         /* mm->total_vm, as /proc/PID/stat's vsize */
	/* Resident pages by the mm counters (file, anon, shmem), their shared parts as
	 * /proc/PID/stat's rss sums them. /proc/PID/status on 6.18 also adds the per-CPU parts, up to
	 * a batch per CPU more (a forked sleeper: RssAnon 100 kB, anon_pages 0). 32 bits hold 16 TiB
	 * of 4 KiB pages; beyond, they saturate. */
	__u32 file_pages;
	__u32 anon_pages;
	__u32 shmem_pages;
	__u32 swap_pages;            /* the swap entries mm counter, as /proc/PID/status VmSwap */
	__u32 fd_limit;              /* RLIMIT_NOFILE soft limit: the kernel keeps it below fs.nr_open < 2^31 */
	__u32 open_fds;              /* bits set in the fd table's open_fds */
};

/* Run-queue latency of one task: each wait from being made runnable (wakeup, wakeup_new, or
 * preemption while still runnable) until it next runs, in log2 slots. Slot i counts waits of at
 * most 2^(RUNQUEUE_LATENCY_FIRST_LOG2 + i) ns, matching Prometheus `le`; the last slot counts
 * the longer ones. Userspace turns slots into cumulative buckets. */
#define RUNQUEUE_LATENCY_FIRST_LOG2 10  /* 1.024 us: finer than the scheduler can be asked for */
#define RUNQUEUE_LATENCY_SLOTS 24       /* up to 2^32 ns (4.3 s), then one overflow slot */

struct runqueue_latency {
	__u64 sum_ns;                /* exact sum of the waits */
	__u64 max_ns;                /* longest single wait */
	__u64 slots[RUNQUEUE_LATENCY_SLOTS];
};

enum task_flags {
	TASK_RECORD_GROUP_DEAD = 1,  /* exit record: no thread of the process is left alive */
	TASK_RECORD_LEADER = 2,      /* the task is its process's thread-group leader */
	TASK_RECORD_GAUGES = 4,      /* gauges is filled (iterator records only) */
};

/* One thread, read by the task iterator at each collection or at its exit. */
struct task_record {
	__u32 tid;
	__u32 tgid;
	__u32 parent_tgid;           /* real_parent->tgid */
	__u32 uid;                   /* effective uid, as {{.Username}} names it */
	__u64 start_ns;              /* this thread's start_boottime */
	__u64 process_start_ns;      /* group leader's start_boottime: with tgid, the process key */
	__u32 flags;                 /* enum task_flags */
	__u32 state;                 /* __state | exit_state: userspace maps it as /proc does */
	struct task_counters counters;
	/* Leader only, in iterator records: what the process's exited threads used, kept by the
	 * kernel in signal_struct. All but migrations, run_delay and timeslices exist there. */
	struct task_counters exited_threads;
	/* Waits since bpfproc attached; zero when run-queue latency is off. Threads that exited are
	 * not in exited_threads: their histograms arrive with their exit events. */
	struct runqueue_latency runqueue_latency;
	char comm[TASK_COMM_SIZE];
	struct process_gauges gauges;  /* with TASK_RECORD_GAUGES, else zero */
	__u64 wchan;                 /* iterator records with wchan on: where it sleeps, as
				      * /proc/PID/wchan (0 when it runs, or off) */
};

enum event_kind {
	EVENT_FORK = 1,
	EVENT_EXEC = 2,
	EVENT_EXIT = 3,
	EVENT_EXEC_CONTEXT = 4,      /* struct exec_context_event (exec_context.h) */
	EVENT_CGROUP_MOVE = 5,
};

struct fork_event {
	__u32 kind;                  /* EVENT_FORK */
	__u32 pid;
	__u64 start_ns;
	__u32 parent_tgid;
	__u32 pad;
	__u64 parent_start_ns;
	char comm[TASK_COMM_SIZE];
	__u64 cgroup_id;             /* the child's cgroup v2 id: its directory's inode number on the
				      * cgroup2 mount, which userspace turns into a path */
};

#define EXEC_FILENAME_SIZE 256   /* covers nearly every real path; longer ones are truncated */
#define EXEC_ARGS_SIZE 512       /* enough for rules on the first arguments of short-lived processes */

struct exec_event {
	__u32 kind;                  /* EVENT_EXEC */
	__u32 old_tid;               /* the exec'ing thread's tid before exec (differs when a non-leader execs) */
	__u32 args_size;             /* bytes of args used; NUL-separated like /proc/PID/cmdline */
	__u32 pad;
	struct task_record task;     /* the exec'ing thread's counters at the exec */
	char filename[EXEC_FILENAME_SIZE];  /* the executable's full path, or as passed to execve */
	char args[EXEC_ARGS_SIZE];
	__u64 cgroup_id;             /* its cgroup v2 id at the exec (see fork_event) */
};

struct exit_event {
	__u32 kind;                  /* EVENT_EXIT */
	__u32 pad;
	__u64 time_ns;               /* CLOCK_BOOTTIME at sched_process_exit: shortly before an
				      * exited thread's runtime joins signal_struct (release_task) */
	struct task_record task;     /* the thread's final counters */
};

/* A process (or, in a threaded cgroup, a thread) moved to another cgroup v2: what it used up to the
 * move stays with the group it had, as at an exec. */
struct cgroup_move_event {
	__u32 kind;                  /* EVENT_CGROUP_MOVE */
	__u32 pad;
	__u64 cgroup_id;             /* the cgroup it moved to (see fork_event) */
	struct task_record task;     /* the moved task's counters right after the move; of the
				      * leader, with exited_threads, when the whole process moved */
};

/* The context userspace passes to the task scan (task_scan.bpf.c), and what it returns. */
struct task_scan_args {
	__u32 pass;                  /* the iterator's full_pass: fingerprints of this pass match */
	__u32 max_tasks;             /* a longer walk stops (TASK_SCAN_TOO_MANY) */
};

enum task_scan_result {
	TASK_SCAN_DONE = 0,
	TASK_SCAN_BUFFER_FULL = 1,   /* drain task_changes and run it again */
	TASK_SCAN_TOO_MANY = 2,      /* stopped after max_tasks: finish the pass with iter/task */
};

/* Why an event was lost; index of the per-CPU lost_events array. */
enum lost_reason {
	LOST_RINGBUF_FULL = 0,
	LOST_TASK_STORAGE = 1,       /* a run-queue wait not timed: task storage unavailable */
	LOST_EXIT_FALLBACK = 2,      /* an exit not held to its final switch (table full): its
				      * counters come from sched_process_free, or, if that never
				      * comes, from sched_process_exit (before exit_mm) */
	LOST_EXIT_INEXACT = 3,       /* of those, sent with the values read at sched_process_exit
				      * (free never came, or the fallback table was full too) */
	LOST_REASON_COUNT,
};

/* The layout both compilers must agree on: the size of every record and the offset of every field
 * (userspace reads them all, as raw bytes from the iterator and the ring buffer). There is no
 * implicit padding anywhere: the explicit `pad` fields put each __u64 at a multiple of 8, and
 * every size is a multiple of 8, so no compiler has a reason to add any. */
ASSERT_SIZE_OF(task_counters, 128);
ASSERT_OFFSET_OF(task_counters, runtime_ns, 0);
ASSERT_OFFSET_OF(task_counters, user_ns, 8);
ASSERT_OFFSET_OF(task_counters, system_ns, 16);
ASSERT_OFFSET_OF(task_counters, voluntary_switches, 24);
ASSERT_OFFSET_OF(task_counters, involuntary_switches, 32);
ASSERT_OFFSET_OF(task_counters, migrations, 40);
ASSERT_OFFSET_OF(task_counters, run_delay_ns, 48);
ASSERT_OFFSET_OF(task_counters, timeslices, 56);
ASSERT_OFFSET_OF(task_counters, read_chars, 64);
ASSERT_OFFSET_OF(task_counters, write_chars, 72);
ASSERT_OFFSET_OF(task_counters, read_syscalls, 80);
ASSERT_OFFSET_OF(task_counters, write_syscalls, 88);
ASSERT_OFFSET_OF(task_counters, read_bytes, 96);
ASSERT_OFFSET_OF(task_counters, write_bytes, 104);
ASSERT_OFFSET_OF(task_counters, minor_faults, 112);
ASSERT_OFFSET_OF(task_counters, major_faults, 120);

ASSERT_SIZE_OF(process_gauges, 32);
ASSERT_OFFSET_OF(process_gauges, virtual_pages, 0);
ASSERT_OFFSET_OF(process_gauges, file_pages, 8);
ASSERT_OFFSET_OF(process_gauges, anon_pages, 12);
ASSERT_OFFSET_OF(process_gauges, shmem_pages, 16);
ASSERT_OFFSET_OF(process_gauges, swap_pages, 20);
ASSERT_OFFSET_OF(process_gauges, fd_limit, 24);
ASSERT_OFFSET_OF(process_gauges, open_fds, 28);

ASSERT_SIZE_OF(runqueue_latency, 208);  /* 16 + 24 slots of 8 */
ASSERT_OFFSET_OF(runqueue_latency, sum_ns, 0);
ASSERT_OFFSET_OF(runqueue_latency, max_ns, 8);
ASSERT_OFFSET_OF(runqueue_latency, slots, 16);

ASSERT_SIZE_OF(task_record, 560);  /* 40 + 2 x 128 counters + 208 latency + 16 comm + 32 gauges + 8 */
ASSERT_OFFSET_OF(task_record, tid, 0);
ASSERT_OFFSET_OF(task_record, tgid, 4);
ASSERT_OFFSET_OF(task_record, parent_tgid, 8);
ASSERT_OFFSET_OF(task_record, uid, 12);
ASSERT_OFFSET_OF(task_record, start_ns, 16);
ASSERT_OFFSET_OF(task_record, process_start_ns, 24);
ASSERT_OFFSET_OF(task_record, flags, 32);
ASSERT_OFFSET_OF(task_record, state, 36);
ASSERT_OFFSET_OF(task_record, counters, 40);
ASSERT_OFFSET_OF(task_record, exited_threads, 168);
ASSERT_OFFSET_OF(task_record, runqueue_latency, 296);
ASSERT_OFFSET_OF(task_record, comm, 504);
ASSERT_OFFSET_OF(task_record, gauges, 520);
ASSERT_OFFSET_OF(task_record, wchan, 552);

ASSERT_SIZE_OF(task_scan_args, 8);
ASSERT_OFFSET_OF(task_scan_args, pass, 0);
ASSERT_OFFSET_OF(task_scan_args, max_tasks, 4);

/* pad (20) aligns parent_start_ns to 8 after the 32-bit parent_tgid. */
ASSERT_SIZE_OF(fork_event, 56);  /* 32 + 16 comm + 8 */
ASSERT_OFFSET_OF(fork_event, kind, 0);
ASSERT_OFFSET_OF(fork_event, pid, 4);
ASSERT_OFFSET_OF(fork_event, start_ns, 8);
ASSERT_OFFSET_OF(fork_event, parent_tgid, 16);
ASSERT_OFFSET_OF(fork_event, pad, 20);
ASSERT_OFFSET_OF(fork_event, parent_start_ns, 24);
ASSERT_OFFSET_OF(fork_event, comm, 32);
ASSERT_OFFSET_OF(fork_event, cgroup_id, 48);

/* pad (12) aligns task to 8 after three 32-bit fields. */
ASSERT_SIZE_OF(exec_event, 1352);  /* 832 + 512 of args + 8 */
ASSERT_OFFSET_OF(exec_event, kind, 0);
ASSERT_OFFSET_OF(exec_event, old_tid, 4);
ASSERT_OFFSET_OF(exec_event, args_size, 8);
ASSERT_OFFSET_OF(exec_event, pad, 12);
ASSERT_OFFSET_OF(exec_event, task, 16);
ASSERT_OFFSET_OF(exec_event, filename, 576);
ASSERT_OFFSET_OF(exec_event, args, 832);  /* 576 + 256 of filename */
ASSERT_OFFSET_OF(exec_event, cgroup_id, 1344);

/* pad (4) aligns time_ns to 8 after the 32-bit kind. */
ASSERT_SIZE_OF(exit_event, 576);  /* 16 + 560 */
ASSERT_OFFSET_OF(exit_event, kind, 0);
ASSERT_OFFSET_OF(exit_event, pad, 4);
ASSERT_OFFSET_OF(exit_event, time_ns, 8);
ASSERT_OFFSET_OF(exit_event, task, 16);

/* pad (4) aligns cgroup_id to 8 after the 32-bit kind. */
ASSERT_SIZE_OF(cgroup_move_event, 576);  /* 16 + 560 */
ASSERT_OFFSET_OF(cgroup_move_event, kind, 0);
ASSERT_OFFSET_OF(cgroup_move_event, pad, 4);
ASSERT_OFFSET_OF(cgroup_move_event, cgroup_id, 8);
ASSERT_OFFSET_OF(cgroup_move_event, task, 16);

#endif /* BPFPROC_TASK_RECORD_H */
