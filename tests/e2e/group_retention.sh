#!/usr/bin/env bash
# group_retention: groups whose processes are all gone leave the exposition after --group.retention.
#
# A config that names a group after each pid ({{.PID}}) makes one group per process that ever
# lived. 2,000 processes of 1 ms under such a config must leave the exposition's series count
# where it was before them once the retention has passed, and be counted in
# bpfproc_exporter_groups_retired_total. Meanwhile their groups are exported whole.
source "$(dirname "$0")/lib.sh"

readonly JOBS=2000
ln -s "$BPFPROC_TOOLS/burn" "$E2E_TMP/retjob"  # its comm: only these processes match the rule
cat >"$E2E_TMP/config.yml" <<'YAML'
process_names:
  - name: "{{.Comm}}-{{.PID}}"
    comm: [retjob]
YAML
readonly WARNING='the group name "{{.Comm}}-{{.PID}}" can make one group per process'
output=$("$BPFPROC" --config.file "$E2E_TMP/config.yml" once 2>&1 >/dev/null) || fail "once failed: $output"
grep -qF "$WARNING" <<<"$output" || fail "no warning at load for a {{.PID}} group name without --series.limit"
pass "a {{.PID}} group name without --series.limit is warned about at load"

# No series limit here: this test is about retention alone (2,000 groups are 20,000 series).
start_bpfproc --config.file "$E2E_TMP/config.yml" --group.retention 15s --collection.interval 1s --series.limit 0
! grep -qF "$WARNING" "$BPFPROC_LOG" || fail "the warning is given although --series.limit was chosen"

scrape "$BPFPROC_URL/metrics" "$E2E_TMP/before.prom"
baseline=$(series_value bpfproc_exporter_series "$E2E_TMP/before.prom")
[[ -n $baseline ]] || fail "no bpfproc_exporter_series in the exposition"

started=$SECONDS
for ((batch = 0; batch < JOBS / 50; batch++)); do
  pids=()
  for ((job = 0; job < 50; job++)); do
    "$E2E_TMP/retjob" 1 &
    pids+=($!)
  done
  wait "${pids[@]}"  # not a bare wait: the daemon is a background job too
done
spawned_in=$((SECONDS - started))

# Spawning took $spawned_in s, well below the retention: every group must still be there. The
# last ones may take a moment: their exits are held in the kernel until their final switch.
((spawned_in < 10)) || fail "spawning $JOBS processes took $spawned_in s, too long for a 15 s retention"
for _ in $(seq 20); do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/during.prom"
  groups=$(grep -c '^bpfproc_group_processes{group="retjob-' "$E2E_TMP/during.prom" || true)
  ((groups == JOBS)) && break
  sleep 0.2
done
during=$(series_value bpfproc_exporter_series "$E2E_TMP/during.prom")
((groups == JOBS)) || fail "$groups retjob-PID groups 4 s after $JOBS processes, expected $JOBS;" \
  "$(grep -E '^bpfproc_exporter_(events_lost_total|tracked)' "$E2E_TMP/during.prom" | tr '\n' ' ')"
((during > baseline + JOBS)) || fail "$during series with $JOBS dead groups kept, baseline $baseline"
pass "$JOBS groups of dead processes stay exported through the retention ($baseline -> $during series)"

deadline=$((SECONDS + 40))
while :; do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/after.prom"
  after=$(series_value bpfproc_exporter_series "$E2E_TMP/after.prom")
  ((after <= baseline)) && break
  ((SECONDS < deadline)) || fail "series still at $after 40 s after the jobs ended (baseline $baseline)"
  sleep 1
done
retired=$(series_value bpfproc_exporter_groups_retired_total "$E2E_TMP/after.prom")
((retired >= JOBS)) || fail "bpfproc_exporter_groups_retired_total is $retired, expected at least $JOBS"
! grep -q 'group="retjob-' "$E2E_TMP/after.prom" || fail "a retjob-PID group is still exported after the retention"
pass "after the retention the series are back to $after (baseline $baseline), $retired groups retired"
