/* Burning a known amount of the calling thread's own CPU time, which is what the kernel accounts
 * to it whatever else the host runs: shared by exits and soakload. */
#ifndef BPFPROC_TOOLS_BURN_CPU_H
#define BPFPROC_TOOLS_BURN_CPU_H

#include <time.h>

static inline long long thread_cpu_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
	return now.tv_sec * 1000000000LL + now.tv_nsec;
}

static inline void burn_cpu_ns(long long nanoseconds)
{
	const long long end = thread_cpu_ns() + nanoseconds;

	while (thread_cpu_ns() < end)
		;
}

#endif /* BPFPROC_TOOLS_BURN_CPU_H */
