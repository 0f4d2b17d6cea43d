/* swarm: keeps COUNT sleeping processes alive, to measure bpfproc on a crowded host.
 *
 *   swarm COUNT      forks COUNT children that sleep; prints "ready" when all exist; on SIGINT,
 *                    SIGTERM or end of stdin kills them all and exits. Children also die with
 *                    swarm itself (PR_SET_PDEATHSIG), so nothing outlives an interrupted run.
 *   swarm -r COUNT   the same, each child renaming itself "swarm-N" (PR_SET_NAME): what any user
 *                    can do to make one group per process under a {{.Comm}} config.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void stop(int signal_number)
{
	(void)signal_number;
	stopping = 1;
}

int main(int argc, char **argv)
{
	struct sigaction action = { .sa_handler = stop };
	int count, started = 0, rename = 0;
	pid_t *children;
	char byte;

	if (argc == 3 && argv[1][0] == '-' && argv[1][1] == 'r' && argv[1][2] == 0) {
		rename = 1;
		argv++;
		argc--;
	}
	if (argc != 2 || (count = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: swarm [-r] COUNT\n");
		return 2;
	}
	children = calloc((size_t)count, sizeof(*children));
	if (!children)
		return 1;
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	for (; started < count && !stopping; started++) {
		pid_t child = fork();

		if (child < 0) {
			perror("swarm: fork");
			break;
		}
		if (child == 0) {
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1) /* parent already gone */
				_exit(0);
			if (rename) {
				char name[16];

				snprintf(name, sizeof(name), "swarm-%d", started % 1000000000);
				prctl(PR_SET_NAME, name);
			}
			for (;;)
				pause();
		}
		children[started] = child;
	}
	printf("ready %d\n", started);
	fflush(stdout);
	/* Wait for a stop signal or for stdin to close. */
	while (!stopping && read(STDIN_FILENO, &byte, 1) > 0)
		;
	for (int i = 0; i < started; i++)
		kill(children[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	return started == count ? 0 : 1;
}
