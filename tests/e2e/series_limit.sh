#!/usr/bin/env bash
# series_limit: processes that rename themselves cannot blow up the exposition.
#
# Any user can rename their processes (prctl PR_SET_NAME). Under the default config (one group
# per comm), 5,000 of them make 5,000 groups, some 195,000 series (39 a group with memory). --series.limit (default 20,000
# series of groups) keeps the groups that used the most CPU, whole, and counts what it left out.
source "$(dirname "$0")/lib.sh"

readonly RENAMED=5000 LIMIT=20000
ln -s "$BPFPROC_TOOLS/burn" "$E2E_TMP/hotgroup"
spawn "$E2E_TMP/hotgroup.log" "$E2E_TMP/hotgroup" 0  # busy: its group must be kept
start_bpfproc --collection.interval 1s

mkfifo "$E2E_TMP/hold"
exec 3<>"$E2E_TMP/hold"  # swarm's stdin: it ends, and the swarm with it, when this script does
# Not through spawn: a background command's stdin is /dev/null unless redirected on the command.
"$BPFPROC_TOOLS/swarm" -r "$RENAMED" <&3 >"$E2E_TMP/swarm.log" 2>&1 &
E2E_PIDS+=("$!")
for _ in $(seq 300); do
  grep -q '^ready' "$E2E_TMP/swarm.log" && break
  sleep 0.1
done
[[ $(cat "$E2E_TMP/swarm.log") == "ready $RENAMED" ]] || fail "swarm: $(cat "$E2E_TMP/swarm.log")"

deadline=$((SECONDS + 30))
while :; do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/metrics.prom"
  dropped=$(series_value bpfproc_exporter_series_dropped_total "$E2E_TMP/metrics.prom")
  groups=$(grep -c '^bpfproc_group_processes{' "$E2E_TMP/metrics.prom" || true)
  # Wait until the renamed processes are grouped by their new names (their /proc identity).
  ((${dropped:-0} > 0 && groups > 500)) && break
  ((SECONDS < deadline)) || fail "after 30 s: ${dropped:-no} series dropped, $groups groups, $(pgrep -c '^swarm-') renamed processes alive"
  sleep 1
done

series=$(series_value bpfproc_exporter_series "$E2E_TMP/metrics.prom")
group_series=$(grep -c '^bpfproc_group_' "$E2E_TMP/metrics.prom")
((group_series <= LIMIT)) || fail "$group_series series of groups, above --series.limit $LIMIT"
# Whole groups: every group that is there has all its families.
for family in bpfproc_group_threads bpfproc_group_migrations_total bpfproc_group_timeslices_total; do
  count=$(grep -c "^$family{" "$E2E_TMP/metrics.prom")
  ((count == groups)) || fail "$count $family series for $groups groups: a group was cut"
done
grep -q '^bpfproc_group_processes{group="hotgroup"} 1$' "$E2E_TMP/metrics.prom" ||
  fail "the busy group is not among those kept"
pass "$RENAMED renamed processes: $groups groups kept whole, $group_series group series, $series in all, $dropped dropped"
