/* cputime: runs a command and prints the CPU time of its whole tree as the kernel accounts it,
 * the reference that `bpfproc measure` is checked against.
 *
 *   cputime CMD [ARGS...]
 *
 * Prints one line to stderr, "cputime_ns N": getrusage(RUSAGE_SELF) + getrusage(RUSAGE_CHILDREN),
 * user + system, in ns. Its own CPU is included because it runs inside the measured tree. The
 * kernel derives utime + stime from the exact sum_exec_runtime, so the total is exact (to the µs
 * of struct timeval). Only descendants that were waited for are in RUSAGE_CHILDREN. Exits with
 * CMD's exit code, 128 + N if signal N killed it, 127 if CMD could not be run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rusage_time.h"

static long long rusage_ns(int who)
{
	struct rusage usage;

	getrusage(who, &usage);
	return rusage_cpu_nanoseconds(&usage);
}

int main(int argc, char **argv)
{
	pid_t child;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: cputime CMD [ARGS...]\n");
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("cputime: fork");
		return 1;
	}
	if (child == 0) {
		execvp(argv[1], &argv[1]);
		perror("cputime: exec");
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("cputime: waitpid");
			return 1;
		}
	}
	fprintf(stderr, "cputime_ns %lld\n", rusage_ns(RUSAGE_SELF) + rusage_ns(RUSAGE_CHILDREN));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
