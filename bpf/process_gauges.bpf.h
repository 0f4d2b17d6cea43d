/* What a process holds now (memory mapped, resident by kind and swapped, open files, its file limit), read from
 * whichever of its threads the walk meets first: the mm, fd table and signal_struct are shared by
 * all threads, so one reading per process and walk is enough.
 * Cost: a few loads, plus one bpf_probe_read_kernel per 64 fds of the fd table's size (one to
 * four for nearly every process, whose table holds 64 or 256 fds). */
#ifndef BPFPROC_PROCESS_GAUGES_BPF_H
#define BPFPROC_PROCESS_GAUGES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "task_record.h"

#define RLIMIT_NOFILE_INDEX 7    /* RLIMIT_NOFILE, a #define BTF does not carry */
/* Tables larger than 8M fds (fs.nr_open allows up to 1G) are counted up to that: a lower bound. */
#define FD_MAX_WORDS (1u << 17)

static __always_inline __u32 popcount64(__u64 bits)
{
	bits = bits - ((bits >> 1) & 0x5555555555555555ull);
	bits = (bits & 0x3333333333333333ull) + ((bits >> 2) & 0x3333333333333333ull);
	bits = (bits + (bits >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (bits * 0x0101010101010101ull) >> 56;
}

struct fd_count {
	const unsigned long *open_fds;
	__u32 words;
	__u32 count;
};

static long count_fd_word(__u64 index, void *data)
{
	struct fd_count *fds = data;
	__u64 word;

	/* A bitmap freed by a concurrent resize reads as garbage or fails, never faults; the next
	 * reading corrects it. */
	if (bpf_probe_read_kernel(&word, sizeof(word), fds->open_fds + index) < 0)
		return 1;
	fds->count += popcount64(word);
	return 0;
}

static __always_inline __u32 count_open_fds(const struct task_struct *task)
{
	struct files_struct *files = task->files;
	struct fdtable *table;
	struct fd_count fds = {};

	if (!files)
		return 0;
	table = files->fdt;
	if (!table)
		return 0;
	fds.open_fds = table->open_fds;
	fds.words = table->max_fds / 64;
	if (fds.words > FD_MAX_WORDS)
		fds.words = FD_MAX_WORDS;
	bpf_loop(fds.words, count_fd_word, &fds, 0);
	return fds.count;
}

/* As get_mm_counter (get_mm_rss, /proc/PID/stat): the per-CPU counter's shared part
 * (percpu_counter_read_positive), which lags by a batch per CPU; negative reads as 0. */
static __always_inline __u32 mm_pages(__s64 count)
{
	if (count <= 0)
		return 0;
	return count > 0xffffffffll ? 0xffffffffu : (__u32)count;
}

static __always_inline void read_process_gauges(struct process_gauges *gauges, const struct task_struct *task)
{
	const struct mm_struct *mm = task->mm;
	__u64 fd_limit;

	if (mm) {
		gauges->virtual_pages = mm->total_vm;
		gauges->file_pages = mm_pages(mm->rss_stat[MM_FILEPAGES].count);
		gauges->anon_pages = mm_pages(mm->rss_stat[MM_ANONPAGES].count);
		gauges->shmem_pages = mm_pages(mm->rss_stat[MM_SHMEMPAGES].count);
		gauges->swap_pages = mm_pages(mm->rss_stat[MM_SWAPENTS].count);
	}
	fd_limit = task->signal->rlim[RLIMIT_NOFILE_INDEX].rlim_cur;
	gauges->fd_limit = fd_limit > 0xffffffffull ? 0xffffffffu : (__u32)fd_limit;
	gauges->open_fds = count_open_fds(task);
}

#endif /* BPFPROC_PROCESS_GAUGES_BPF_H */
