/* manymaps: one process with very many mappings and a large resident set, the costliest kind of
 * process for /proc/PID/smaps_rollup (the kernel walks every mapping under the mmap lock).
 *
 *   manymaps MAPPINGS RSS_MIB   maps MAPPINGS one-page regions that the kernel cannot merge
 *                               (alternating protections), touches RSS_MIB MiB of memory (its
 *                               pages and, beyond them, one more region), prints "ready
 *                               MAPPINGS", and holds it all until end of stdin or SIGTERM.
 * More mappings than vm.max_map_count (65530 by default) need that sysctl raised first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mappings, rss_mib, page = sysconf(_SC_PAGESIZE);
	size_t region_bytes, rss_bytes, touched;
	char *region, *extra, byte;

	if (argc != 3 || (mappings = atol(argv[1])) <= 0 || (rss_mib = atol(argv[2])) < 0) {
		fprintf(stderr, "usage: manymaps MAPPINGS RSS_MIB\n");
		return 2;
	}
	region_bytes = (size_t)mappings * page;
	rss_bytes = (size_t)rss_mib << 20;
	region = mmap(NULL, region_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		fprintf(stderr, "manymaps: mmap of %zu bytes: %s\n", region_bytes, strerror(errno));
		return 1;
	}
	/* Touched before the split, so that every mapping has a resident page to walk. */
	touched = rss_bytes < region_bytes ? rss_bytes : region_bytes;
	for (size_t offset = 0; offset < touched; offset += page)
		region[offset] = 1;
	/* Every other page read-only: neighbours differ, so each page stays its own mapping. */
	for (long index = 1; index < mappings; index += 2) {
		if (mprotect(region + index * page, page, PROT_READ) != 0) {
			fprintf(stderr, "manymaps: mapping %ld of %ld: %s (raise vm.max_map_count)\n", index, mappings,
				strerror(errno));
			return 1;
		}
	}
	if (rss_bytes > region_bytes) {
		extra = mmap(NULL, rss_bytes - region_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (extra == MAP_FAILED) {
			fprintf(stderr, "manymaps: mmap of %zu bytes: %s\n", rss_bytes - region_bytes, strerror(errno));
			return 1;
		}
		memset(extra, 1, rss_bytes - region_bytes);
	}
	printf("ready %ld\n", mappings);
	fflush(stdout);
	while (read(STDIN_FILENO, &byte, 1) > 0)
		;
	return 0;
}
