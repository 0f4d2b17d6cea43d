/* hangfs: a FUSE filesystem whose statfs(2) hangs, as a hard NFS mount's does when its server is
 * gone, until the process gets SIGUSR1; from then on statfs answers at once with fixed figures
 * (4 KiB blocks: 1000 in all, 500 free, 400 available; 100 inodes, 50 free). For
 * tests/e2e/hung_mount.sh, which checks that host.filesystem neither waits for it nor stops
 * measuring the other mount points.
 *
 *   hangfs MOUNT_POINT     stays in the foreground; unmount it (umount -l) to end it. */
#define FUSE_USE_VERSION 31
#include <fuse.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_int released;

static void release(int signal_number) {
	(void)signal_number;
	atomic_store(&released, 1);
}

static int hang_getattr(const char *path, struct stat *stats, struct fuse_file_info *file) {
	(void)file;
	if (strcmp(path, "/") != 0)
		return -ENOENT;
	memset(stats, 0, sizeof(*stats));
	stats->st_mode = S_IFDIR | 0755;
	stats->st_nlink = 2;
	return 0;
}

static int hang_statfs(const char *path, struct statvfs *stats) {
	(void)path;
	/* Polled, not waited on a signal: the signal may go to any of libfuse's threads. */
	while (!atomic_load(&released))
		usleep(10 * 1000);
	memset(stats, 0, sizeof(*stats));
	stats->f_bsize = stats->f_frsize = 4096;
	stats->f_blocks = 1000;
	stats->f_bfree = 500;
	stats->f_bavail = 400;
	stats->f_files = 100;
	stats->f_ffree = 50;
	return 0;
}

static const struct fuse_operations operations = {
	.getattr = hang_getattr,
	.statfs = hang_statfs,
};

int main(int argc, char **argv) {
	if (argc != 2) {
		fprintf(stderr, "usage: hangfs MOUNT_POINT\n");
		return 2;
	}
	struct sigaction action = {.sa_handler = release};
	sigaction(SIGUSR1, &action, NULL);
	/* Foreground, multi-threaded: lookups are still answered while a statfs hangs. */
	char *fuse_argv[] = {argv[0], "-f", "-o", "fsname=hangfs,subtype=hangfs", argv[1], NULL};
	return fuse_main(5, fuse_argv, &operations, NULL);
}
