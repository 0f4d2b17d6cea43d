/* Reads the exec context (exec_context.h) of a task at sched_process_exec: the paths of its
 * executable and cwd, walked as d_path walks them for readlink of /proc/PID/{exe,cwd}, and the
 * path of each of its cgroups, in the order /proc/PID/cgroup lists them.
 *
 * Why walks and not helpers: bpf_d_path is allowed only in iterators, sleepable LSM hooks and a
 * list of fentry targets, none of which is an exec hook that attaches here (fentry fails with
 * EPERM on these machines); kernfs (cgroup) names have no helper at all. Each walk collects the
 * names leaf first (dentry->d_name.name, kernfs_node->name), then copies them root first with
 * bpf_probe_read_kernel_str. Loops are bpf_loop callbacks, so that verifying them costs one pass.
 *
 * What it assumes: paths as a reader in the initial mount and cgroup namespaces sees them (the
 * daemon on the host): a path ends at the root of the task's mount namespace, as d_path's does,
 * and at the root of each cgroup hierarchy.
 *
 * Cost (only when a rule uses {{.ExePath}}, {{.Cwd}}, {{.Cgroups}} or exe_path): one probe read
 * per path component or mount crossed and one string copy per component. Measured with
 * --bpf.stats, 2,000 execs of /bin/true from a cwd 3 levels deep on this hybrid host (10
 * hierarchies), 6 alternating runs each: the exec program took 5.5 us per exec without the
 * record and 9.6 us with exe, cwd and cgroups (medians; an exec itself takes ~0.5 ms). */
#ifndef BPFPROC_EXEC_CONTEXT_BPF_H
#define BPFPROC_EXEC_CONTEXT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "exec_context.h"
#include "task_record.h"

/* Components of one path: 4,095 bytes hold at most 2,048 ("/a" each); real paths have under 30.
 * Deeper ones are cut (EXEC_CONTEXT_TRUNCATED). A power of two, for the index mask. */
#define EXEC_CONTEXT_PATH_DEPTH 256
/* NAME_MAX + the NUL: the longest component one copy can meet. */
#define EXEC_CONTEXT_NAME_SIZE 256
/* Hierarchies listed at most: a host has one (v2) to 14 (every v1 controller, named ones, v2). */
#define EXEC_CONTEXT_HIERARCHIES 32

/* kernfs_node.parent became __parent in 6.15 (RCU-protected); either is read as a plain pointer. */
struct kernfs_node___since_6_15 {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));
struct kernfs_node___before_6_15 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kernfs_parent(const void *node)
{
	if (bpf_core_field_exists(struct kernfs_node___since_6_15, __parent))
		return BPF_CORE_READ((struct kernfs_node___since_6_15 *)node, __parent);
	return BPF_CORE_READ((struct kernfs_node___before_6_15 *)node, parent);
}

/* The state of the walks. It lives in the map value, not on the stack: the verifier does not
 * track values loaded from a map, so each bpf_loop callback is verified once rather than once per
 * distinct counter value (which exceeded the 1M instruction limit). Kernel pointers are kept as
 * plain values and read with probe reads. */
struct path_walk {
	const void *dentry;       /* dentry walks: the current dentry and its mount */
	const void *mount;
	const void *kernfs_node;  /* kernfs walks */
	const void *link;         /* cgroups: the list node of the next hierarchy's link */
	const void *links_head;   /* &css_set->cgrp_links */
	__u32 count;              /* names collected */
	__u32 position;           /* next byte of data */
	__u32 limit;              /* position stays at or below it */
	__u8 done;                /* the walk reached a root (else it was too deep) */
	__u8 truncated;
	__u8 list_default_hierarchy;
	__u8 pad;
};

/* The record being built, the names of the path being walked and the walk. Per CPU: the exec
 * program does not nest with itself. 10.5 KiB per CPU. */
struct exec_context_scratch {
	struct exec_context_event header;
	/* The slack keeps a name copied at the last position of data inside the value. */
	char data[EXEC_CONTEXT_DATA_SIZE + EXEC_CONTEXT_NAME_SIZE];
	__u64 names[EXEC_CONTEXT_PATH_DEPTH];  /* const char * of each component, leaf first */
	struct path_walk walk;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_context_scratch);
} exec_context_scratch SEC(".maps");

/* What the bpf_loop callbacks get: bpf_loop passes a stack pointer only. */
struct walk_context {
	struct exec_context_scratch *scratch;
};

#define EXEC_CONTEXT_DATA_MASK (EXEC_CONTEXT_DATA_SIZE - 1)

static __always_inline void add_name(struct exec_context_scratch *scratch, const void *name)
{
	struct path_walk *walk = &scratch->walk;

	scratch->names[walk->count & (EXEC_CONTEXT_PATH_DEPTH - 1)] = (__u64)name;
	walk->count++;
}

/* Collects one component, crossing mounts as __prepend_path does: at a mount's root, continue
 * from its mountpoint in the parent mount; the mount that is its own parent is the root. */
static long collect_dentry(__u32 index, struct walk_context *context)
{
	struct exec_context_scratch *scratch = context->scratch;
	struct path_walk *walk = &scratch->walk;
	const struct dentry *dentry = walk->dentry, *parent;
	const struct mount *mount = walk->mount, *mount_parent;

	if (dentry == BPF_CORE_READ(mount, mnt.mnt_root)) {
		mount_parent = BPF_CORE_READ(mount, mnt_parent);
		if (mount_parent == mount || !mount_parent) {
			walk->done = 1;
			return 1;
		}
		walk->dentry = BPF_CORE_READ(mount, mnt_mountpoint);
		walk->mount = mount_parent;
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry || !parent) {  /* a filesystem root that is no mount's root: d_path stops */
		walk->done = 1;
		return 1;
	}
	if (walk->count >= EXEC_CONTEXT_PATH_DEPTH)
		return 1;
	add_name(scratch, BPF_CORE_READ(dentry, d_name.name));
	walk->dentry = parent;
	return 0;
}

/* Collects one cgroup's component; the hierarchy's root (no parent) is not part of paths. */
static long collect_kernfs_node(__u32 index, struct walk_context *context)
{
	struct exec_context_scratch *scratch = context->scratch;
	struct path_walk *walk = &scratch->walk;
	const struct kernfs_node *node = walk->kernfs_node;
	const struct kernfs_node *parent = kernfs_parent(node);

	if (!parent) {
		walk->done = 1;
		return 1;
	}
	if (walk->count >= EXEC_CONTEXT_PATH_DEPTH)
		return 1;
	add_name(scratch, BPF_CORE_READ(node, name));
	walk->kernfs_node = parent;
	return 0;
}

static __always_inline bool append_byte(struct exec_context_scratch *scratch, char byte)
{
	struct path_walk *walk = &scratch->walk;

	if (walk->position >= walk->limit) {
		walk->truncated = 1;
		return false;
	}
	scratch->data[walk->position & EXEC_CONTEXT_DATA_MASK] = byte;
	walk->position++;
	return true;
}

/* Writes "/" and the index-th component from the root. */
static long write_component(__u32 index, struct walk_context *context)
{
	struct exec_context_scratch *scratch = context->scratch;
	struct path_walk *walk = &scratch->walk;
	const void *name = (const void *)scratch->names[(walk->count - 1 - index) & (EXEC_CONTEXT_PATH_DEPTH - 1)];
	long copied;

	if (!append_byte(scratch, '/'))
		return 1;
	copied = bpf_probe_read_kernel_str(&scratch->data[walk->position & EXEC_CONTEXT_DATA_MASK],
					   EXEC_CONTEXT_NAME_SIZE, name);
	if (copied > 1)
		walk->position += copied - 1;  /* the NUL is overwritten by what follows */
	if (walk->position > walk->limit) {
		walk->truncated = 1;
		walk->position = walk->limit;
		return 1;
	}
	return 0;
}

/* Writes the collected names root first: "/" alone for a root. */
static __always_inline void write_path(struct walk_context *context)
{
	struct exec_context_scratch *scratch = context->scratch;

	if (!scratch->walk.done)
		scratch->walk.truncated = 1;  /* deeper than EXEC_CONTEXT_PATH_DEPTH */
	if (scratch->walk.count == 0)
		append_byte(scratch, '/');
	else
		bpf_loop(scratch->walk.count, write_component, context, 0);
}

static __always_inline void write_dentry_path(struct walk_context *context, const struct vfsmount *vfsmount,
					      const struct dentry *dentry)
{
	struct path_walk *walk = &context->scratch->walk;

	walk->dentry = dentry;
	walk->mount = (const void *)vfsmount - bpf_core_field_offset(struct mount, mnt);
	walk->count = 0;
	walk->done = 0;
	/* Each step is a component or a mount crossed. */
	bpf_loop(2 * EXEC_CONTEXT_PATH_DEPTH, collect_dentry, context, 0);
	write_path(context);
}

/* One hierarchy's path and its NUL. css_set->cgrp_links holds one link per hierarchy in the order
 * the hierarchies were created; /proc/PID/cgroup lists them newest first, so this walks back. */
static long write_cgroup(__u32 index, struct walk_context *context)
{
	struct exec_context_scratch *scratch = context->scratch;
	struct path_walk *walk = &scratch->walk;
	const struct list_head *node = walk->link;
	const struct cgrp_cset_link *link;
	const struct cgroup *cgroup;

	if (!node || node == walk->links_head)
		return 1;
	link = (const void *)node - bpf_core_field_offset(struct cgrp_cset_link, cgrp_link);
	walk->link = BPF_CORE_READ(node, prev);
	cgroup = BPF_CORE_READ(link, cgrp);
	/* Hierarchy 0 is v2: /proc lists it only once cgroup2 has been mounted. */
	if (BPF_CORE_READ(cgroup, root, hierarchy_id) == 0 && !walk->list_default_hierarchy)
		return 0;
	walk->kernfs_node = BPF_CORE_READ(cgroup, kn);
	walk->count = 0;
	walk->done = 0;
	bpf_loop(EXEC_CONTEXT_PATH_DEPTH, collect_kernfs_node, context, 0);
	write_path(context);
	return append_byte(scratch, '\0') ? 0 : 1;
}

/* The cwd was removed: readlink shows " (deleted)" after its path (d_unlinked). */
static __always_inline bool dentry_unlinked(const struct dentry *dentry)
{
	return BPF_CORE_READ(dentry, d_parent) != dentry && !BPF_CORE_READ(dentry, d_hash.pprev);
}

/* Fills the per-CPU record for `task` with the parts asked for; returns it, or NULL. Its size is
 * sizeof(header) + exe_size + cwd_size + cgroups_size. */
static __always_inline struct exec_context_scratch *
read_exec_context(struct task_struct *task, bool exe, bool cwd, bool cgroups, bool list_default_hierarchy)
{
	struct walk_context context;
	struct exec_context_scratch *scratch;
	struct path_walk *walk;
	const struct file *exe_file;
	const struct dentry *pwd;
	const struct css_set *css_set;
	__u32 zero = 0, start;

	scratch = bpf_map_lookup_elem(&exec_context_scratch, &zero);
	if (!scratch)
		return NULL;
	context.scratch = scratch;
	walk = &scratch->walk;
	__builtin_memset(walk, 0, sizeof(*walk));
	scratch->header.flags = 0;

	if (exe) {
		exe_file = BPF_CORE_READ(task, mm, exe_file);
		walk->limit = EXEC_CONTEXT_PATH_SIZE - 1;
		if (exe_file)
			write_dentry_path(&context, BPF_CORE_READ(exe_file, f_path.mnt),
					  BPF_CORE_READ(exe_file, f_path.dentry));
	}
	scratch->header.exe_size = walk->position;

	start = walk->position;
	if (cwd) {
		pwd = BPF_CORE_READ(task, fs, pwd.dentry);
		walk->limit = start + EXEC_CONTEXT_PATH_SIZE - 1;
		write_dentry_path(&context, BPF_CORE_READ(task, fs, pwd.mnt), pwd);
		if (dentry_unlinked(pwd))
			scratch->header.flags |= EXEC_CONTEXT_CWD_DELETED;
	}
	scratch->header.cwd_size = walk->position - start;

	start = walk->position;
	if (cgroups) {
		css_set = BPF_CORE_READ(task, cgroups);
		walk->limit = EXEC_CONTEXT_DATA_SIZE;
		walk->links_head = (const void *)css_set + bpf_core_field_offset(struct css_set, cgrp_links);
		walk->link = BPF_CORE_READ(css_set, cgrp_links.prev);
		walk->list_default_hierarchy = list_default_hierarchy;
		bpf_loop(EXEC_CONTEXT_HIERARCHIES, write_cgroup, &context, 0);
	}
	scratch->header.cgroups_size = walk->position - start;

	scratch->header.kind = EVENT_EXEC_CONTEXT;
	scratch->header.pid = BPF_CORE_READ(task, tgid);
	scratch->header.start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	if (walk->truncated)
		scratch->header.flags |= EXEC_CONTEXT_TRUNCATED;
	return scratch;
}

#endif /* BPFPROC_EXEC_CONTEXT_BPF_H */
