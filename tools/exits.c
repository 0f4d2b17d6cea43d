/* exits: workloads whose exits are hard to account exactly, for the exit-capture tests.
 *
 *   exits [-g CGROUP_DIR] ignored COUNT MS       COUNT children, auto-reaped (SIGCHLD ignored)
 *   exits [-g CGROUP_DIR] zombies COUNT MS PAUSE children exit, stay zombies PAUSE ms, then reaped
 *   exits [-g CGROUP_DIR] bigmem MIB             one child touches MIB MiB, then exits (exit_mm)
 *   exits [-g CGROUP_DIR] storm COUNT            COUNT children forked at once that exit at once
 *   exits -s ...                                 first print its own CPU time at main() (ns)
 *
 * Each child burns MS of its own CPU time. With -g, exits first moves itself into CGROUP_DIR (a
 * cgroup v2 directory) and prints its own runtime before the move (sum_exec_runtime, ns, from
 * /proc/self/schedstat), so that the cgroup's usage_usec plus that figure is all the CPU of the
 * tree (see join_cgroup). With -s, it first prints its CPU time (CLOCK_PROCESS_CPUTIME_ID) at the
 * start of main(): what its spawner ran before the exec lies within, and stays with the spawner.
 * Exits 0 once every child is gone. Plain C, so it costs only what it is asked to do. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "burn_cpu.h"
#include "join_cgroup.h"

static pid_t spawn_burner(long milliseconds)
{
	pid_t child = fork();

	if (child < 0) {
		perror("exits: fork");
		exit(1);
	}
	if (child == 0) {
		burn_cpu_ns(milliseconds * 1000000LL);
		_exit(0);
	}
	return child;
}

/* Touches every page, so that exit_mm has 2 GiB of pages to free. */
static void touch_and_exit(long mebibytes)
{
	const size_t size = (size_t)mebibytes << 20;
	char *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (memory == MAP_FAILED) {
		perror("exits: mmap");
		_exit(1);
	}
	for (size_t offset = 0; offset < size; offset += 4096)
		memory[offset] = 1;
	_exit(0); /* no munmap: the kernel frees it all in exit_mm */
}

static void reap_all(void)
{
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct timespec started;
	int first = 1;
	const char *mode;

	if (argc > 1 && strcmp(argv[1], "-s") == 0) {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &started);
		printf("%lld\n", started.tv_sec * 1000000000LL + started.tv_nsec);
		fflush(stdout);
		first = 2;
	}
	if (argc > first + 1 && strcmp(argv[first], "-g") == 0) {
		printf("%llu\n", join_cgroup("exits", argv[first + 1]));
		fflush(stdout);
		first += 2;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: exits [-s] [-g CGROUP_DIR] ignored|zombies|bigmem|storm ARGS...\n");
		return 2;
	}
	mode = argv[first];
	if (strcmp(mode, "ignored") == 0 && argc == first + 3) {
		const long count = atol(argv[first + 1]), milliseconds = atol(argv[first + 2]);

		/* The kernel reaps the children itself, in exit_notify, before their final switch. */
		signal(SIGCHLD, SIG_IGN);
		for (long i = 0; i < count; i++)
			spawn_burner(milliseconds);
		/* With SIGCHLD ignored, wait() blocks until every child is gone, then fails (ECHILD). */
		reap_all();
	} else if (strcmp(mode, "zombies") == 0 && argc == first + 4) {
		const long count = atol(argv[first + 1]), milliseconds = atol(argv[first + 2]);
		const long pause_ms = atol(argv[first + 3]);
		const struct timespec pause = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };

		for (long i = 0; i < count; i++)
			spawn_burner(milliseconds);
		/* Each waits here as a zombie, long after its final switch. */
		nanosleep(&pause, NULL);
		reap_all();
	} else if (strcmp(mode, "bigmem") == 0 && argc == first + 2) {
		const long mebibytes = atol(argv[first + 1]);
		pid_t child = fork();

		if (child == 0)
			touch_and_exit(mebibytes);
		reap_all();
	} else if (strcmp(mode, "storm") == 0 && argc == first + 2) {
		const long count = atol(argv[first + 1]);

		signal(SIGCHLD, SIG_IGN);
		for (long i = 0; i < count; i++)
			spawn_burner(0);
		reap_all();
	} else {
		fprintf(stderr, "exits: bad arguments for %s\n", mode);
		return 2;
	}
	return 0;
}
