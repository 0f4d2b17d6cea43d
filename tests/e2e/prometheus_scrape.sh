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

others_cpu=()  # taskset prefix that keeps our helpers off CPU 0, when there is another CPU
(($(nproc) >= 2)) && others_cpu=(taskset -c 1)

# burn runs under a name of its own, so that other burn processes on the host stay out of the group.
burn_comm="burn-e2e-$$"
ln -s "$BPFPROC_TOOLS/burn" "$E2E_TMP/$burn_comm"
echo "process_names: [{name: burn, comm: [$burn_comm]}]" >"$E2E_TMP/bpfproc.yml"
start_bpfproc --config.file "$E2E_TMP/bpfproc.yml"
((${#others_cpu[@]})) && taskset -apc 1 "$BPFPROC_PID" >/dev/null  # -a: every thread

# Its own session gives burn its own autogroup; at autogroup nice -20 it keeps CPU 0 to itself on a
# busy host. (A plain nice -20 would not help, and would starve bpfproc and Prometheus: with
# autogroups, nice only weighs tasks against others of the same session.)
spawn "$E2E_TMP/burn.log" setsid taskset -c 0 "$E2E_TMP/$burn_comm" 0
burn_pid=$SPAWNED_PID
wait_series 'bpfproc_group_processes{group="burn"}' 1 10
[[ $(cat "/proc/$burn_pid/comm") == "$burn_comm" ]] || fail "pid $burn_pid is not $burn_comm"
echo -20 2>/dev/null >"/proc/$burn_pid/autogroup" || true  # absent without CONFIG_SCHED_AUTOGROUP

prometheus_port=$(free_port)
prometheus_url="http://127.0.0.1:$prometheus_port"
cat >"$E2E_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s  # the default 10 s would be longer than the interval, which Prometheus rejects
scrape_configs:
  - job_name: bpfproc
    static_configs:
      - targets: ['127.0.0.1:$BPFPROC_PORT']
EOF
spawn "$E2E_TMP/prometheus.log" "${others_cpu[@]}" prometheus \
  --config.file "$E2E_TMP/prometheus.yml" --storage.tsdb.path "$E2E_TMP/tsdb" \
  --web.listen-address "127.0.0.1:$prometheus_port"
prometheus_pid=$SPAWNED_PID
wait_http "$prometheus_url/-/ready" 60 "$prometheus_pid" "prometheus ($E2E_TMP/prometheus.log)"

# query PROMQL: the value of the single sample PROMQL returns, or "none"/"many:N".
query() {
  curl -sf --max-time 10 -G "$prometheus_url/api/v1/query" --data-urlencode "query=$1" -o "$E2E_TMP/query.json" ||
    fail "Prometheus query failed: $1"
  json_eval '(d["data"]["result"][0]["value"][1] if len(d["data"]["result"]) == 1 else
              "none" if not d["data"]["result"] else "many:%d" % len(d["data"]["result"]))' <"$E2E_TMP/query.json" |
    tr -d '"'
}

# target_error: Prometheus' last scrape error for bpfproc, for failure messages.
target_error() {
  curl -sf --max-time 10 "$prometheus_url/api/v1/targets" | json_eval 'd["data"]["activeTargets"][0]["lastError"]'
}

# Prometheus holds new targets back for ~5 s (discovery updates are throttled), so wait for the
# first scrape, then for a full 10 s rate window (+2 s margin) of 1 s scrapes.
deadline=$((SECONDS + 30))
until [[ $(query 'up{job="bpfproc"}') == 1 ]]; do
  ((SECONDS < deadline)) ||
    fail "up{job=\"bpfproc\"} is $(query 'up{job="bpfproc"}') after 30 s, expected 1; last scrape error: $(target_error)"
  sleep 0.5
done
pass "Prometheus scrapes bpfproc: up{job=\"bpfproc\"} = 1"

# The rate window is the last 10 s before the query; read the kernel's own count of burn's CPU
# (schedstat field 1, ns) at both of its ends, to tell a busy host from an exporter error.
sleep 2  # first scrapes land ~1 s apart, so the window starts after a few of them
burn_ns_before=$(cut -d' ' -f1 "/proc/$burn_pid/schedstat")
sleep 10
burn_ns_after=$(cut -d' ' -f1 "/proc/$burn_pid/schedstat")
up=$(query 'min_over_time(up{job="bpfproc"}[10s])')
[[ $up == 1 ]] || fail "a scrape in the 10 s window failed: min_over_time(up[10s]) = $up; last error: $(target_error)"

processes=$(query 'bpfproc_group_processes{group="burn"}')
[[ $processes == 1 ]] || fail "bpfproc_group_processes{group=\"burn\"} is $processes in Prometheus, expected 1"
pass "bpfproc_group_processes{group=\"burn\"} = 1"

rate=$(query 'sum(rate(bpfproc_group_cpu_seconds_total{group="burn"}[10s]))')
kernel_rate=$(python3 -c "print(round(($burn_ns_after - $burn_ns_before) / 10e9, 4))")
echo "measured: sum(rate(bpfproc_group_cpu_seconds_total{group=\"burn\"}[10s])) = $rate" \
  "(kernel schedstat, same 10 s: $kernel_rate CPU)"
python3 -c "import sys; sys.exit(0 if 0.95 <= float(sys.argv[1]) <= 1.05 else 1)" "$rate" 2>/dev/null ||
  fail "burn CPU rate is $rate, expected 0.95..1.05 (kernel says burn ran $kernel_rate CPU)"
pass "burn CPU rate $rate is within 0.95..1.05"
