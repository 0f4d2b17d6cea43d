/* Flags of include/linux/sched.h that both the BPF programs and userspace test. They are
 * #defines, so BTF (vmlinux.h) does not carry them. Plain C, no includes. */
#ifndef BPFPROC_KERNEL_FLAGS_H
#define BPFPROC_KERNEL_FLAGS_H

/* task_struct.flags, and field 9 ("flags") of /proc/PID/stat: the task is a kernel thread. */
#define PF_KTHREAD 0x00200000

#endif /* BPFPROC_KERNEL_FLAGS_H */
