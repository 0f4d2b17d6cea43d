/* naps: wakes up often and does almost nothing, so that its run-queue latency is the scheduler's
 * wakeup latency alone.
 *
 *   naps COUNT USEC    sleeps COUNT times for USEC microseconds each, then exits
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec pause;
	long count, usec;

	if (argc != 3 || (count = atol(argv[1])) <= 0 || (usec = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: naps COUNT USEC\n");
		return 2;
	}
	pause.tv_sec = usec / 1000000;
	pause.tv_nsec = (usec % 1000000) * 1000;
	for (long i = 0; i < count; i++)
		clock_nanosleep(CLOCK_MONOTONIC, 0, &pause, NULL);
	return 0;
}
