/* burn: uses a known amount of CPU, for tests and benchmarks.
 *
 *   burn MS                burn MS milliseconds of CPU (its own CPU clock), then exit
 *   burn 0                 burn until killed
 *   burn -t N MS           N threads, each burning MS ms; they exit, then the process exits
 *   burn -r MS             print the process's CPU time in ns (CLOCK_PROCESS_CPUTIME_ID) at the end
 *   burn -s MS             print it first thing, too (after an exec: where the new image began)
 *   burn -p MS             after burning (and reporting), wait until stdin closes, then exit
 *   burn MS -- PROG ARGS   burn, then exec PROG ARGS (to test CPU attribution across exec)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long clock_ns(clockid_t clock)
{
	struct timespec now;

	clock_gettime(clock, &now);
	return now.tv_sec * 1000000000LL + now.tv_nsec;
}

static volatile unsigned long long sink;

/* Spins until this thread has used `ms` of CPU; ms == 0 spins forever. */
static void *burn(void *arg)
{
	long long ms = *(long long *)arg;
	long long until = clock_ns(CLOCK_THREAD_CPUTIME_ID) + ms * 1000000LL;

	for (;;) {
		for (int i = 0; i < 10000; i++)
			sink += i;
		if (ms && clock_ns(CLOCK_THREAD_CPUTIME_ID) >= until)
			return NULL;
	}
}

int main(int argc, char **argv)
{
	long long started_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	int threads = 0, report = 0, wait_stdin = 0, opt;
	char byte;
	long long ms;

	/* "+": stop at the first non-option, so the arguments after "--" are left for the exec. */
	while ((opt = getopt(argc, argv, "+t:rps")) != -1) {
		if (opt == 't')
			threads = atoi(optarg);
		else if (opt == 'r')
			report = 1;
		else if (opt == 'p')
			wait_stdin = 1;
		else if (opt == 's')
			printf("%lld\n", started_ns);
		else
			goto usage;
	}
	if (optind >= argc)
		goto usage;
	ms = atoll(argv[optind]);

	if (threads > 0) {
		pthread_t ids[threads];

		for (int i = 0; i < threads; i++)
			pthread_create(&ids[i], NULL, burn, &ms);
		for (int i = 0; i < threads; i++)
			pthread_join(ids[i], NULL);
	} else {
		burn(&ms);
	}
	if (report)
		printf("%lld\n", clock_ns(CLOCK_PROCESS_CPUTIME_ID));
	fflush(stdout);
	while (wait_stdin && read(STDIN_FILENO, &byte, 1) > 0)
		;
	if (optind + 1 < argc && strcmp(argv[optind + 1], "--") == 0 && optind + 2 < argc) {
		execv(argv[optind + 2], &argv[optind + 2]);
		perror("burn: exec");
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: burn [-t THREADS] [-r] [-s] [-p] MS [-- PROGRAM ARGS...]\n");
	return 2;
}
