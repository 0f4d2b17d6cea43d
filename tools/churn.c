/* churn: runs COUNT short-lived `burn MS` processes one after another, and prints the CPU they
 * used as the kernel accounted it for the whole tree: getrusage(RUSAGE_CHILDREN), in ns.
 * A child dies with churn (PR_SET_PDEATHSIG), so nothing outlives an interrupted run.
 *
 *   churn COUNT MS [BURN_PATH]
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rusage_time.h"

int main(int argc, char **argv)
{
	struct rusage usage;
	const char *burn;
	pid_t parent;
	int count;

	if (argc < 3) {
		fprintf(stderr, "usage: churn COUNT MS [BURN_PATH]\n");
		return 2;
	}
	count = atoi(argv[1]);
	if (atoi(argv[2]) <= 0) { /* burn 0 would never exit */
		fprintf(stderr, "churn: MS must be at least 1\n");
		return 2;
	}
	burn = argc > 3 ? argv[3] : "burn";
	parent = getpid();
	for (int i = 0; i < count; i++) {
		pid_t child = fork();
		int status;

		if (child < 0) {
			perror("churn: fork");
			return 1;
		}
		if (child == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent) /* churn already gone */
				_exit(1);
			execlp(burn, "burn", argv[2], (char *)NULL);
			perror("churn: exec");
			_exit(127);
		}
		if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "churn: child %d failed\n", i);
			return 1;
		}
	}
	getrusage(RUSAGE_CHILDREN, &usage);
	printf("%lld\n", rusage_cpu_nanoseconds(&usage));
	return 0;
}
