/* soakload: the workload of tools/soak. Processes and threads start and end continuously for as
 * long as its stdin stays open:
 *   - short-lived processes, RATE a second, each burning BURN_US of CPU; every EXEC_EVERY-th one
 *     execs EXEC_PATH first (a process that changes group at exec);
 *   - threads that start, burn BURN_US and exit, THREAD_RATE a second, in soakload itself;
 *   - a sleeper process added every SLEEPER_MS, up to MAX_SLEEPERS (a table that slowly grows);
 *   - every BLINK_MS, one process that execs BLINK_PATH, burns 20 ms and sleeps 3 s: its group
 *     empties, so that a daemon with a short --group.retention removes it and sees it come back.
 *
 *   soakload -g CGROUP_DIR [-r RATE] [-t THREAD_RATE] [-e EXEC_EVERY] [-u BURN_US] [-s SLEEPER_MS]
 *            [-m MAX_SLEEPERS] [-b BLINK_MS] EXEC_PATH BLINK_PATH
 *   soakload burn MICROSECONDS          what EXEC_PATH runs (a link to soakload): burn, exit
 *   soakload blink MICROSECONDS MS      what BLINK_PATH runs: burn, sleep MS, exit
 *
 * It first moves itself into CGROUP_DIR (a cgroup v2 directory) and prints its runtime before the
 * move (ns, see join_cgroup.h). At end of stdin it kills its sleepers, reaps every child and prints
 *   processes N execs N blinks N sleepers N threads N failures N
 * (children started; failures: children that did not exit as planned), then exits 0.
 * Every child dies with soakload (PR_SET_PDEATHSIG), so nothing outlives an interrupted run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "burn_cpu.h"
#include "join_cgroup.h"

/* Threads that run at once in each round of the thread churn: enough that thread exits overlap. */
#define THREADS_PER_ROUND 4
/* The tick of the main loop: fine enough that 300 forks a second come 3 at a time, not 300. */
#define TICK_MS 10
/* Catch-up bound: after a stall (a busy host) the loop starts at most this many processes per tick
 * rather than a burst of everything it is behind. */
#define MAX_PER_TICK 20

struct options {
	const char *cgroup;
	double rate, thread_rate;
	long exec_every, burn_us, sleeper_ms, max_sleepers, blink_ms;
	const char *exec_path, *blink_path;
};

static atomic_int stopping;
static atomic_long thread_exits;

static double monotonic_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void sleep_ms(long milliseconds)
{
	const struct timespec pause = { milliseconds / 1000, (milliseconds % 1000) * 1000000L };

	nanosleep(&pause, NULL);
}

static void *burn_thread(void *microseconds)
{
	burn_cpu_ns((long)microseconds * 1000LL);
	return NULL;
}

/* Rounds of THREADS_PER_ROUND threads, paced to `rate` thread exits a second. */
static void *thread_churn(void *argument)
{
	const struct options *options = argument;
	const double start = monotonic_seconds();
	long rounds = 0;

	while (!atomic_load(&stopping)) {
		pthread_t threads[THREADS_PER_ROUND];
		int started = 0;
		double due;

		for (int i = 0; i < THREADS_PER_ROUND; i++)
			if (pthread_create(&threads[i], NULL, burn_thread, (void *)options->burn_us) == 0)
				started++;
			else
				break;
		for (int i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
		atomic_fetch_add(&thread_exits, started);
		rounds++;
		due = start + (double)rounds * THREADS_PER_ROUND / options->thread_rate;
		while (!atomic_load(&stopping) && monotonic_seconds() < due)
			sleep_ms(TICK_MS);
	}
	return NULL;
}

/* Forks a child that dies with soakload. In the child, returns 0; exits soakload on failure. */
static pid_t fork_child(void)
{
	const pid_t parent = getpid();
	pid_t child = fork();

	if (child < 0) {
		perror("soakload: fork");
		exit(1);
	}
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) /* soakload already gone */
			_exit(1);
	}
	return child;
}

static void exec_or_die(const char *path, char *const argv[])
{
	execv(path, argv);
	perror("soakload: exec");
	_exit(127);
}

static void spawn_short(const struct options *options, int exec)
{
	char burn_us[32];

	if (fork_child() != 0)
		return;
	if (exec) {
		snprintf(burn_us, sizeof(burn_us), "%ld", options->burn_us);
		exec_or_die(options->exec_path, (char *const[]){ (char *)options->exec_path, "burn", burn_us, NULL });
	}
	burn_cpu_ns(options->burn_us * 1000LL);
	_exit(0);
}

static pid_t spawn_sleeper(void)
{
	const pid_t child = fork_child();

	if (child != 0)
		return child;
	for (;;)
		pause(); /* until soakload's SIGTERM */
}

static void spawn_blink(const struct options *options)
{
	if (fork_child() != 0)
		return;
	exec_or_die(options->blink_path, (char *const[]){ (char *)options->blink_path, "blink", "20000", "3000", NULL });
}

/* Reaps what has exited; with `block`, everything. A sleeper's planned end is SIGTERM; every other
 * child's is exit 0. */
static void reap(int block, pid_t *sleepers, long sleeper_count, long *failures)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, block ? 0 : WNOHANG)) > 0 || (pid < 0 && errno == EINTR)) {
		int sleeper = 0;

		if (pid < 0)
			continue;
		for (long i = 0; i < sleeper_count; i++)
			sleeper |= sleepers[i] == pid;
		if (sleeper ? !(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
			    : !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			(*failures)++;
	}
}

static int stdin_closed(int timeout_ms)
{
	struct pollfd input = { .fd = 0, .events = POLLIN };
	char buffer[256];

	if (poll(&input, 1, timeout_ms) <= 0)
		return 0;
	return read(0, buffer, sizeof(buffer)) <= 0;
}

static int run(const struct options *options)
{
	long processes = 0, execs = 0, blinks = 0, sleeper_count = 0, failures = 0;
	pid_t *sleepers = calloc((size_t)options->max_sleepers + 1, sizeof(pid_t));
	double start, next_sleeper, next_blink;
	pthread_t churn;

	if (!sleepers || pthread_create(&churn, NULL, thread_churn, (void *)options) != 0) {
		fprintf(stderr, "soakload: cannot start the thread churn\n");
		return 1;
	}
	start = monotonic_seconds();
	next_sleeper = start + options->sleeper_ms / 1000.0;
	next_blink = start + options->blink_ms / 1000.0;
	while (!stdin_closed(TICK_MS)) {
		const double now = monotonic_seconds();
		const long due = (long)((now - start) * options->rate);

		for (int started = 0; processes < due && started < MAX_PER_TICK; started++) {
			const int exec = options->exec_every > 0 && processes % options->exec_every == 0;

			spawn_short(options, exec);
			processes++;
			execs += exec;
		}
		if (now >= next_sleeper && sleeper_count < options->max_sleepers) {
			sleepers[sleeper_count++] = spawn_sleeper();
			next_sleeper += options->sleeper_ms / 1000.0;
		}
		if (now >= next_blink) {
			spawn_blink(options);
			blinks++;
			next_blink += options->blink_ms / 1000.0;
		}
		reap(0, sleepers, sleeper_count, &failures);
	}
	atomic_store(&stopping, 1);
	pthread_join(churn, NULL);
	for (long i = 0; i < sleeper_count; i++)
		kill(sleepers[i], SIGTERM);
	reap(1, sleepers, sleeper_count, &failures);
	printf("processes %ld execs %ld blinks %ld sleepers %ld threads %ld failures %ld\n",
	       processes + blinks + sleeper_count, execs, blinks, sleeper_count, atomic_load(&thread_exits), failures);
	free(sleepers);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: soakload -g CGROUP_DIR [-r RATE] [-t THREAD_RATE] [-e EXEC_EVERY] [-u BURN_US]\n"
			"                [-s SLEEPER_MS] [-m MAX_SLEEPERS] [-b BLINK_MS] EXEC_PATH BLINK_PATH\n"
			"       soakload burn MICROSECONDS | blink MICROSECONDS MS\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct options options = { .rate = 300, .thread_rate = 100, .exec_every = 4, .burn_us = 200,
				   .sleeper_ms = 2000, .max_sleepers = 1000, .blink_ms = 30000 };
	int option;

	if (argc == 3 && strcmp(argv[1], "burn") == 0) {
		burn_cpu_ns(atol(argv[2]) * 1000LL);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "blink") == 0) {
		burn_cpu_ns(atol(argv[2]) * 1000LL);
		sleep_ms(atol(argv[3]));
		return 0;
	}
	while ((option = getopt(argc, argv, "g:r:t:e:u:s:m:b:")) != -1) {
		switch (option) {
		case 'g': options.cgroup = optarg; break;
		case 'r': options.rate = atof(optarg); break;
		case 't': options.thread_rate = atof(optarg); break;
		case 'e': options.exec_every = atol(optarg); break;
		case 'u': options.burn_us = atol(optarg); break;
		case 's': options.sleeper_ms = atol(optarg); break;
		case 'm': options.max_sleepers = atol(optarg); break;
		case 'b': options.blink_ms = atol(optarg); break;
		default: return usage();
		}
	}
	if (!options.cgroup || argc - optind != 2 || options.rate <= 0 || options.thread_rate <= 0 ||
	    options.burn_us < 0 || options.sleeper_ms <= 0 || options.max_sleepers < 0 || options.blink_ms <= 0)
		return usage();
	options.exec_path = argv[optind];
	options.blink_path = argv[optind + 1];
	printf("%llu\n", join_cgroup("soakload", options.cgroup));
	fflush(stdout);
	return run(&options);
}
