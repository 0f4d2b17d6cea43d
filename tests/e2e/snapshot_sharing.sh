#!/usr/bin/env bash
# snapshot_sharing: scrapes read the published snapshot; they do not collect, and a collection
# stuck in a slow /proc read does not hold them.
#
#  (a) 20 concurrent scrapes of a stale snapshot share one collection: all 20 expositions show
#      the same tasks-collector run count, one more than before, and bpfproc_exporter_scrapes_total
#      counts each of the 20 scrapes exactly once;
#  (b) with --path.procfs pointing at a copy of /proc in which one new process's cmdline is a FIFO
#      (open() blocks until a writer comes, like a /proc read waiting for a target's mmap lock),
#      the collection that reads it hangs; scrapes and /health still answer, with the previous
#      snapshot; once the FIFO is written, the next scrape has a new collection.
source "$(dirname "$0")/lib.sh"

tasks_runs='bpfproc_exporter_collector_duration_seconds_count{collector="tasks"}'
scrapes_total='bpfproc_exporter_scrapes_total'

# (a) No timer collections during the test; a snapshot is fresh for 3 s.
start_bpfproc --no-collector.memory --collection.interval 1h --collection.max-age 3s
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/before.prom"
runs_before=$(series_value "$tasks_runs" "$E2E_TMP/before.prom")
scrapes_before=$(series_value "$scrapes_total" "$E2E_TMP/before.prom")
sleep 3.5  # the snapshot is now stale: the next scrape asks for a collection
curl_pids=()
for index in $(seq 20); do
  curl -sf --max-time 20 -o "$E2E_TMP/concurrent.$index.prom" "$BPFPROC_URL/metrics" &
  curl_pids+=($!)
done
wait "${curl_pids[@]}" || fail "a concurrent scrape failed"
runs=() scrapes=()
for index in $(seq 20); do
  [[ -s $E2E_TMP/concurrent.$index.prom ]] || fail "concurrent scrape $index got no exposition"
  runs+=("$(series_value "$tasks_runs" "$E2E_TMP/concurrent.$index.prom")")
  scrapes+=("$(series_value "$scrapes_total" "$E2E_TMP/concurrent.$index.prom")")
done
distinct_runs=$(printf '%s\n' "${runs[@]}" | sort -u)
[[ $distinct_runs == $((runs_before + 1)) ]] ||
  fail "20 concurrent scrapes saw tasks-collector run counts $(echo $distinct_runs), expected only $((runs_before + 1)) (one collection after $runs_before)"
pass "20 concurrent scrapes shared one collection (tasks collector runs $runs_before -> $distinct_runs)"
expected_scrapes=$(seq $((scrapes_before + 1)) $((scrapes_before + 20)))
[[ $(printf '%s\n' "${scrapes[@]}" | sort -n) == "$expected_scrapes" ]] ||
  fail "scrapes_total values $(printf '%s ' "${scrapes[@]}"), expected each of $((scrapes_before + 1))..$((scrapes_before + 20)) once"
pass "bpfproc_exporter_scrapes_total rose by 20: $scrapes_before -> $((scrapes_before + 20))"
stop "$BPFPROC_PID"

# (b) A copy of /proc: a link to every entry, so the daemon reads the real files through it.
fake_proc="$E2E_TMP/proc"
mkdir "$fake_proc"
for entry in /proc/*; do ln -s "$entry" "$fake_proc/${entry#/proc/}"; done
# A process that execs only when told to, so that its /proc entry is in place before its exec
# makes the daemon read its identity.
go="$E2E_TMP/go"
spawn "$E2E_TMP/slow.log" bash -c "until [ -e '$go' ]; do sleep 0.05; done; exec sleep 1000"
slow_pid=$SPAWNED_PID
start_bpfproc --no-collector.memory --path.procfs "$fake_proc" --collection.interval 1h --collection.max-age 0s
mkdir "$fake_proc/$slow_pid.new"
for file in stat status exe smaps_rollup; do ln -s "/proc/$slow_pid/$file" "$fake_proc/$slow_pid.new/$file"; done
mkfifo "$fake_proc/$slow_pid.new/cmdline"
rm "$fake_proc/$slow_pid" 2>/dev/null || true
mv "$fake_proc/$slow_pid.new" "$fake_proc/$slow_pid"
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/stuck-before.prom"
runs_before=$(series_value "$tasks_runs" "$E2E_TMP/stuck-before.prom")
touch "$go"
# Wait until the daemon is blocked opening the FIFO (its open() is in the kernel's fifo wait).
deadline=$((SECONDS + 20))
until grep -qs 'pipe_read\|fifo_open\|wait_for_partner' /proc/"$BPFPROC_PID"/task/*/wchan 2>/dev/null; do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/trigger.prom"
  ((SECONDS < deadline)) || fail "the daemon never opened the FIFO cmdline of pid $slow_pid"
  sleep 0.2
done
pass "a collection is stuck opening $fake_proc/$slow_pid/cmdline (a FIFO without a writer)"
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/stuck.prom"
scrape "$BPFPROC_URL/health" "$E2E_TMP/stuck-health.json"
stuck_runs=$(series_value "$tasks_runs" "$E2E_TMP/stuck.prom")
[[ -n $stuck_runs ]] || fail "the scrape during the stuck collection has no $tasks_runs"
[[ $(json_eval 'd["bpf_attached"]' <"$E2E_TMP/stuck-health.json") == true ]] || fail "/health during the stuck collection: $(cat "$E2E_TMP/stuck-health.json")"
pass "scrapes and /health answer during the stuck collection, with the previous snapshot (tasks runs $stuck_runs)"

echo released >"$fake_proc/$slow_pid/cmdline"  # the writer the blocked open() waits for
deadline=$((SECONDS + 20))
while :; do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/after.prom"
  after_runs=$(series_value "$tasks_runs" "$E2E_TMP/after.prom")
  ((after_runs > stuck_runs)) && break
  ((SECONDS < deadline)) || fail "no new collection within 20 s of releasing the FIFO (tasks runs still $after_runs)"
  sleep 0.2
done
pass "after the FIFO is written, scrapes see new collections again (tasks runs $stuck_runs -> $after_runs)"
stop "$BPFPROC_PID"
[[ $STOPPED_STATUS == 0 ]] || fail "bpfproc exited $STOPPED_STATUS on SIGTERM"
