/* Moving the calling process into a cgroup v2 directory so that the cgroup's cpu.stat usage_usec
 * becomes the reference for the CPU of a process tree, shared by exits and soakload. */
#ifndef BPFPROC_TOOLS_JOIN_CGROUP_H
#define BPFPROC_TOOLS_JOIN_CGROUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Moves the caller into `directory` and returns its own runtime before the move
 * (sum_exec_runtime, ns, from /proc/self/schedstat): the cgroup's usage_usec plus that figure is
 * all the CPU of the tree. Exits 1 on failure.
 * The cgroup is charged at each runtime update (a tick or a switch) with the time since the
 * previous one, by the cgroup the task is in at that update. So: sleep, which updates the runtime
 * and freezes it; read it (schedstat does not update it); move. The time from the wakeup to the
 * move is charged to the new cgroup at the next update, and is not in the reading: the two add up
 * exactly, unless a tick falls in those few µs. */
static inline unsigned long long join_cgroup(const char *program, const char *directory)
{
	const struct timespec pause = { 0, 1000000 };
	char path[4096];
	unsigned long long runtime_ns = 0;
	FILE *schedstat, *procs;

	snprintf(path, sizeof(path), "%s/cgroup.procs", directory);
	schedstat = fopen("/proc/self/schedstat", "r");
	procs = fopen(path, "w");
	if (!schedstat || !procs) {
		fprintf(stderr, "%s: cannot open /proc/self/schedstat or %s: %s\n", program, path, strerror(errno));
		exit(1);
	}
	nanosleep(&pause, NULL);
	if (fscanf(schedstat, "%llu", &runtime_ns) != 1 || fprintf(procs, "0\n") < 0 || fclose(procs) != 0) {
		fprintf(stderr, "%s: cannot join the cgroup %s: %s\n", program, directory, strerror(errno));
		exit(1);
	}
	fclose(schedstat);
	return runtime_ns;
}

#endif /* BPFPROC_TOOLS_JOIN_CGROUP_H */
