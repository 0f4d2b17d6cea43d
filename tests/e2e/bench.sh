#!/usr/bin/env bash
# bench: `bpfproc bench` end to end, with small parameters. It checks structure and correctness,
# never timings (a shared CI machine makes every timing noise):
#  (a) --json prints one object with every section: the three program sets (run-queue latency on,
#      off, and the empty-program floor) each with 5 pairs of positive ns-per-switch figures and
#      per-program statistics that include handle_switch with runs; one collection entry per
#      requested process count with positive CPU, latency, memory pass and RSS, having seen at
#      least that many processes; a churn capture within [0.99, 1.01] with every exit exported;
#      and the four checks;
#  (b) bad options exit 2 and a missing privilege exits 1, each with one stderr line;
#  (c) SIGINT while the collection phase runs: a non-zero exit, and no process it started is left
#      (swarm and its sleepers, churn, burn, the daemon). They are found by an environment
#      variable that bench and everything it starts inherit.
source "$(dirname "$0")/lib.sh"

# (a) One small run, about 15 s.
status=0
timeout 240 "$BPFPROC" bench --json --processes 200 --pairs 5 --round-trips 20000 --churn-seconds 1 \
  >"$E2E_TMP/bench.json" 2>"$E2E_TMP/bench.stderr" || status=$?
E2E_LOGS+=("$E2E_TMP/bench.stderr")
[[ $status == 0 ]] || fail "bpfproc bench exited $status: $(grep -v '\[info\]' "$E2E_TMP/bench.stderr" | head -n 3)"
python3 - "$E2E_TMP/bench.json" <<'PY' || fail "bench --json is not what was expected (above)"
import json, sys

report = json.load(open(sys.argv[1]))
problems = []

def expect(condition, what):
    if not condition:
        problems.append(what)

def positive(value):
    return isinstance(value, (int, float)) and value > 0

switches = report.get("context_switch", {})
for key in ("default_collectors", "runqueue_latency_on", "floor"):
    entry = switches.get(key)
    if entry is None:
        problems.append(f"context_switch.{key} missing")
        continue
    expect(len(entry.get("pairs", [])) == 5, f"{key}: {len(entry.get('pairs', []))} pairs, expected 5")
    for index, pair in enumerate(entry.get("pairs", [])):
        expect(positive(pair.get("attached_ns_per_switch")) and positive(pair.get("detached_ns_per_switch")),
               f"{key} pair {index}: {pair}")
    for figure in ("attached_ns_per_switch", "detached_ns_per_switch"):
        expect(positive(entry.get(figure)), f"{key}.{figure} = {entry.get(figure)}")
    expect(isinstance(entry.get("overhead"), (int, float)), f"{key}.overhead = {entry.get('overhead')}")
    programs = {program["name"]: program for program in entry.get("programs", [])}
    # handle_fork runs in the statistics run (it starts processes) and is always loaded.
    wanted = {"floor": "empty_switch", "runqueue_latency_on": "record_runqueue_wait"}.get(key, "handle_fork")
    expect(wanted in programs and programs[wanted]["runs"] > 0 and programs[wanted]["run_time_ns"] > 0,
           f"{key}: no runs of {wanted} in {sorted(programs)}")
    expect(not any(name.startswith("handle_wakeup") for name in programs), f"{key}: a wakeup program is loaded")
    if key == "default_collectors":
        expect("record_runqueue_wait" not in programs, f"{key}: record_runqueue_wait is loaded")

collection = report.get("collection", [])
expect(len(collection) == 1, f"{len(collection)} collection entries, expected 1")
for entry in collection:
    expect(entry.get("processes") == 200, f"collection.processes = {entry.get('processes')}")
    expect(entry.get("tracked_processes", 0) >= 200, f"the daemon tracked {entry.get('tracked_processes')} processes")
    expect(len(entry.get("scrape_seconds", [])) == 10, f"{len(entry.get('scrape_seconds', []))} scrapes, expected 10")
    for figure in ("collection_cpu_seconds", "daemon_cpu_per_scrape_seconds", "scrape_latency_seconds",
                   "memory_refresh_seconds", "memory_refresh_cpu_seconds", "resident_bytes"):
        expect(positive(entry.get(figure)), f"collection.{figure} = {entry.get(figure)}")

churn = report.get("churn", {})
expect(positive(churn.get("rusage_cpu_seconds")), f"churn.rusage_cpu_seconds = {churn.get('rusage_cpu_seconds')}")
expect(0.99 <= churn.get("captured", 0) <= 1.01, f"churn.captured = {churn.get('captured')}, expected [0.99, 1.01]")
expect(churn.get("exported_exits") == churn.get("processes", -1) + 1,
       f"churn: {churn.get('exported_exits')} exits exported, expected {churn.get('processes', -1) + 1}")
expect("ringbuf_full" in churn.get("events_lost", {}), "churn.events_lost has no ringbuf_full")

checks = report.get("checks", [])
expect(len(checks) == 4 and all("pass" in check for check in checks), f"checks: {checks}")
expect(isinstance(report.get("checks_pass"), bool), "checks_pass missing")

for problem in problems:
    print("bench.json:", problem, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
pass "bench --json: every section present, 5 pairs per program set, churn captured $(json_eval 'round(d["churn"]["captured"] * 100, 3)' <"$E2E_TMP/bench.json")%"

# (b) Bad options: exit 2 with one line, before anything is loaded or started.
expect_exit 2 '^bpfproc: bench: --check needs --pairs 5 or more$' "$BPFPROC" bench --check --pairs 3
expect_exit 2 '^bpfproc: bench: --cpu 4096: not a CPU' "$BPFPROC" bench --cpu 4096
expect_exit 2 '^bpfproc: bench: --processes must list positive counts$' "$BPFPROC" bench --processes 100,0
expect_exit 1 '^bpfproc: bench: missing: privileges' \
  setpriv --reuid=nobody --regid=nogroup --clear-groups "$BPFPROC" bench

# (c) Interrupted while the daemon and 2,000 sleepers run.
mark="bench-e2e-$$-$RANDOM"
marked_processes() { # pids whose environment has the mark, except the bench itself
  grep -lzx "BPFPROC_BENCH_TEST_MARK=$mark" /proc/[0-9]*/environ 2>/dev/null |
    sed -e 's|^/proc/||' -e 's|/environ$||' | grep -vx "$BENCH_PID" || true
}
spawn "$E2E_TMP/interrupted.log" env "BPFPROC_BENCH_TEST_MARK=$mark" \
  "$BPFPROC" bench --processes 2000 --pairs 1 --round-trips 2000 --churn-seconds 1
BENCH_PID=$SPAWNED_PID
deadline=$((SECONDS + 120))
until grep -qs 'collection cost, 2000 processes: starting the daemon' "$E2E_TMP/interrupted.log"; do
  kill -0 "$BENCH_PID" 2>/dev/null || fail "bench exited before its collection phase"
  ((SECONDS < deadline)) || fail "bench did not reach its collection phase within 120 s"
  sleep 0.1
done
started=$(marked_processes | wc -l)
((started > 2000)) || fail "only $started processes of the bench were found before the interruption"
kill -INT "$BENCH_PID"
for _ in $(seq 300); do kill -0 "$BENCH_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$BENCH_PID" 2>/dev/null && fail "bench still running 30 s after SIGINT"
status=0
wait "$BENCH_PID" || status=$?
kept=()  # reaped: cleanup must not signal its pid again
for pid in "${E2E_PIDS[@]}"; do [[ $pid == "$BENCH_PID" ]] || kept+=("$pid"); done
E2E_PIDS=("${kept[@]}")
[[ $status != 0 ]] || fail "bench exited 0 after SIGINT"
grep -q 'interrupted by SIGINT' "$E2E_TMP/interrupted.log" || fail "bench did not say it was interrupted"
left=$(marked_processes)
[[ -z $left ]] || fail "processes started by the bench are still running: $(ps -o pid=,comm= -p "${left//$'\n'/,}" | head -n 5 | tr '\n' ' ')"
pass "SIGINT during collection ($started processes running): exit $status, nothing left behind"
