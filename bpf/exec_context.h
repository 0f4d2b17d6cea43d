/* The exec context record: what /proc would show of a new program that the exec event does not
 * carry, for processes that exit before userspace can read /proc (a 2 ms `sh -c true`). Grouping
 * rules that use {{.ExePath}}, {{.Cwd}} or {{.Cgroups}} must name such a process as they would
 * have named it from /proc, so the exec program sends, right after the exec event and only when
 * a rule needs one of them (rodata flags in lifecycle.bpf.c):
 * - exe: the path /proc/PID/exe links to (the program's file, symlinks resolved; the exec
 *   event's filename is the path as passed to execve);
 * - cwd: the path /proc/PID/cwd links to, " (deleted)" not appended (a flag says so);
 * - cgroups: the path of each line of /proc/PID/cgroup, in its order, each followed by a NUL.
 * The header is followed by exe_size + cwd_size + cgroups_size bytes, in that order, and only
 * those are sent (bpf_ringbuf_output of a variable size): a typical record is ~150 bytes. The
 * includer provides __u32/__u64; the layout asserts hold on both sides. */
#ifndef BPFPROC_EXEC_CONTEXT_H
#define BPFPROC_EXEC_CONTEXT_H

#include "layout_assert.h"

/* PATH_MAX: what readlink of /proc/PID/{exe,cwd} can return at most. */
#define EXEC_CONTEXT_PATH_SIZE 4096
/* The three parts together; a longer set of cgroup paths is cut (EXEC_CONTEXT_TRUNCATED). 8 KiB
 * holds 13 hierarchies of 600-byte paths; real ones are under 200 bytes each. */
#define EXEC_CONTEXT_DATA_SIZE 8192

enum exec_context_flags {
	EXEC_CONTEXT_TRUNCATED = 1,   /* a path was longer than its room, or deeper than the walk */
	EXEC_CONTEXT_CWD_DELETED = 2, /* the cwd was removed: readlink would add " (deleted)" */
};

struct exec_context_event {
	__u32 kind;                  /* EVENT_EXEC_CONTEXT */
	__u32 pid;                   /* tgid */
	__u64 start_ns;              /* the process's start_boottime: with pid, the process key */
	__u32 exe_size;              /* bytes of the exe path, no NUL; 0 when not asked for */
	__u32 cwd_size;              /* bytes of the cwd path, no NUL; 0 when not asked for */
	__u32 cgroups_size;          /* bytes of the cgroup paths, each NUL-terminated */
	__u32 flags;                 /* enum exec_context_flags */
};

ASSERT_SIZE_OF(exec_context_event, 32);
ASSERT_OFFSET_OF(exec_context_event, kind, 0);
ASSERT_OFFSET_OF(exec_context_event, pid, 4);
ASSERT_OFFSET_OF(exec_context_event, start_ns, 8);
ASSERT_OFFSET_OF(exec_context_event, exe_size, 16);
ASSERT_OFFSET_OF(exec_context_event, cwd_size, 20);
ASSERT_OFFSET_OF(exec_context_event, cgroups_size, 24);
ASSERT_OFFSET_OF(exec_context_event, flags, 28);

#endif /* BPFPROC_EXEC_CONTEXT_H */
