#!/usr/bin/env bash
# prometheus_scrape: a real Prometheus, scraping bpfproc every second, sees exactly one CPU's worth
# of CPU for a process that spins on one CPU.
#
# bpfproc puts the test's `burn 0` into group "burn"; it spins forever pinned to CPU 0, so its true
# rate is 1.0 CPU-second per second. Once the first scrape is in, 12 s later,
# sum(rate(bpfproc_group_cpu_seconds_total{group="burn"}[10s])) must be within 0.95..1.05, which
# checks the counter's unit, its monotonicity across scrapes and that Prometheus parses the
# exposition. up{job="bpfproc"} must be 1 for every scrape of the window, and the group must hold
# exactly one process. bpfproc and Prometheus run on CPU 1, burn alone in a favoured autogroup, so
# that burn's true rate stays 1.0 on a busy host; the kernel's own count for burn over the same
# 10 s is printed next to the measured rate, to tell a busy host from an exporter error.
source "$(dirname "$0")/lib.sh"

burn_comm
echo "process_names: [{name: burn, comm: [$BURN_COMM]}]" >"$E2E_TMP/bpfproc.yml"
start_bpfproc --config.file "$E2E_TMP/bpfproc.yml"
start_burn burn
start_prometheus

# Wait for the first scrape, then for a full 10 s rate window (+2 s margin) of 1 s scrapes.
wait_scraped 30
pass "Prometheus scrapes bpfproc: up{job=\"bpfproc\"} = 1"

# The rate window is the last 10 s before the query; read the kernel's own count of burn's CPU
# (schedstat field 1, ns) at both of its ends, to tell a busy host from an exporter error.
sleep 2  # first scrapes land ~1 s apart, so the window starts after a few of them
burn_ns_before=$(cut -d' ' -f1 "/proc/$BURN_PID/schedstat")
sleep 10
burn_ns_after=$(cut -d' ' -f1 "/proc/$BURN_PID/schedstat")
up=$(prom_query 'min_over_time(up{job="bpfproc"}[10s])')
[[ $up == 1 ]] || fail "a scrape in the 10 s window failed: min_over_time(up[10s]) = $up; last error: $(target_error)"

processes=$(prom_query 'bpfproc_group_processes{group="burn"}')
[[ $processes == 1 ]] || fail "bpfproc_group_processes{group=\"burn\"} is $processes in Prometheus, expected 1"
pass "bpfproc_group_processes{group=\"burn\"} = 1"

rate=$(prom_query 'sum(rate(bpfproc_group_cpu_seconds_total{group="burn"}[10s]))')
kernel_rate=$(python3 -c "print(round(($burn_ns_after - $burn_ns_before) / 10e9, 4))")
echo "measured: sum(rate(bpfproc_group_cpu_seconds_total{group=\"burn\"}[10s])) = $rate" \
  "(kernel schedstat, same 10 s: $kernel_rate CPU)"
python3 -c "import sys; sys.exit(0 if 0.95 <= float(sys.argv[1]) <= 1.05 else 1)" "$rate" 2>/dev/null ||
  fail "burn CPU rate is $rate, expected 0.95..1.05 (kernel says burn ran $kernel_rate CPU)"
pass "burn CPU rate $rate is within 0.95..1.05"
