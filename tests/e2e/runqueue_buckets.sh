#!/usr/bin/env bash
# runqueue_buckets: --runqueue-latency.buckets chooses the run-queue histogram's buckets.
#
# The kernel counts waits at powers of two of ns, so a bound that is not one is rounded up to the
# next (a warning at start says which), and that is the le exported. (a) A custom list: the le
# values are the rounded bounds, counts are cumulative up to +Inf = _count, and promtool accepts
# the exposition. (b) The default: 11 buckets, 14 series per group. (Bad lists: daemon_behaviour.)
source "$(dirname "$0")/lib.sh"

# histogram GROUP FILE: "le=count" for each bucket of GROUP's histogram, on one line.
histogram() {
  grep "^bpfproc_group_runqueue_latency_seconds_bucket{group=\"$1\"," "$2" |
    sed 's/.*le="\([^"]*\)"} \(.*\)/\1=\2/' | tr '\n' ' '
}

# check_scrape FILE WHAT: promtool accepts FILE, and the burn group's buckets never decrease and
# end at _count.
check_scrape() {
  local output bucket count previous=0
  output=$(promtool check metrics <"$1" 2>&1) && [[ -z $output ]] ||
    fail "promtool rejects the exposition ($2): $(head -n 1 <<<"$output")"
  for bucket in $(histogram burn "$1"); do
    ((${bucket#*=} >= previous)) || fail "burn's buckets ($2) go down: $(histogram burn "$1")"
    previous=${bucket#*=}
  done
  count=$(series_value 'bpfproc_group_runqueue_latency_seconds_count{group="burn"}' "$1")
  ((count > 0 && previous == count)) || fail "burn ($2): +Inf is $previous, _count '$count'"
}

# scrape_waits FILE: scrapes until burn's histogram has counted a wait (counts start at attach).
scrape_waits() {
  local deadline=$((SECONDS + 15))
  until scrape "$BPFPROC_URL/metrics" "$1" &&
    [[ $(series_value 'bpfproc_group_runqueue_latency_seconds_count{group="burn"}' "$1") -gt 0 ]]; do
    ((SECONDS < deadline)) || fail "no run-queue wait of burn's threads within 15 s"
    sleep 0.2
  done
}

# Three spinning threads on at most two CPUs (this machine has two) wait for each other.
spawn "$E2E_TMP/burn.log" taskset -c 0,1 "$BPFPROC_TOOLS/burn" -t 3 0

# (a) 10 µs .. 100 ms, none of them a slot bound; 0.000016 rounds to the same bound as 0.00001.
start_bpfproc --collector.runqueue-latency --runqueue-latency.buckets=0.00001,0.000016,0.0001,0.001,0.01,0.1
grep -q 'warning.*0.00001, 0.000016 -> 0.000016384; 0.0001 -> 0.000131072; 0.001 -> 0.001048576; 0.01 -> 0.016777216; 0.1 -> 0.134217728$' \
  "$BPFPROC_LOG" || fail "no warning naming the rounded bounds: $(grep -m1 warning "$BPFPROC_LOG")"
scrape_waits "$E2E_TMP/custom.prom"
le_values=$(histogram burn "$E2E_TMP/custom.prom" | sed 's/=[0-9]*//g')
[[ $le_values == '1.6384e-05 0.000131072 0.001048576 0.016777216 0.134217728 +Inf ' ]] ||
  fail "custom buckets: le values are '$le_values'"
check_scrape "$E2E_TMP/custom.prom" "custom buckets"
counts=$(histogram burn "$E2E_TMP/custom.prom")
pass "custom buckets: le = ${le_values% }; burn's counts ${counts% }"
stop "$BPFPROC_PID"

# (b) The default: 14 series per group (11 buckets, +Inf, _sum, _count).
start_bpfproc --collector.runqueue-latency
scrape_waits "$E2E_TMP/default.prom"
le_values=$(histogram burn "$E2E_TMP/default.prom" | sed 's/=[0-9]*//g')
[[ $le_values == '4.096e-06 1.6384e-05 6.5536e-05 0.000262144 0.001048576 0.004194304 0.008388608000000001 0.016777216 0.067108864 0.268435456 1.073741824 +Inf ' ]] ||
  fail "default buckets: le values are '$le_values'"
series=$(grep -c '^bpfproc_group_runqueue_latency_seconds_[a-z]*{group="burn"' "$E2E_TMP/default.prom")
((series == 14)) || fail "default buckets: burn's histogram has $series series, expected 14"
check_scrape "$E2E_TMP/default.prom" "default buckets"
pass "default buckets: $series series per group, promtool accepts the exposition"
