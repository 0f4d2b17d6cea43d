// SPDX-License-Identifier: GPL-2.0
/* Switch floor: an empty program on the context-switch tracepoint, for `bpfproc bench` only.
 *
 * Hook: tp_btf/sched_switch, the same hook as runqueue_latency.bpf.c's record_runqueue_wait.
 * Why: any program on sched_switch costs something before its first instruction runs: the
 * tracepoint becomes live, and the kernel's dispatcher (bpf_trace_run4) disables migration, enters
 * an RCU read section and calls the program. This program does nothing else, so the ping-pong
 * overhead measured with it attached is the physical floor that no sched_switch program can go
 * under; bench reports bpfproc's own programs against it.
 * Cost: the dispatch only, on every context switch, while bench keeps it attached (seconds).
 * Never loaded by the daemon.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_switch")
int BPF_PROG(empty_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	return 0;
}
