/* The CPU time of a struct rusage, user + system, in ns: the kernel's own account of a process
 * tree, which churn and cputime print as the reference the tests compare bpfproc against. */
#ifndef BPFPROC_TOOLS_RUSAGE_TIME_H
#define BPFPROC_TOOLS_RUSAGE_TIME_H

#include <sys/resource.h>

static inline long long rusage_cpu_nanoseconds(const struct rusage *usage)
{
	return (usage->ru_utime.tv_sec + usage->ru_stime.tv_sec) * 1000000000LL +
	       (usage->ru_utime.tv_usec + usage->ru_stime.tv_usec) * 1000LL;
}

#endif /* BPFPROC_TOOLS_RUSAGE_TIME_H */
