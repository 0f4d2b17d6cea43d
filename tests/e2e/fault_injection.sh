#!/usr/bin/env bash
# fault_injection: each fault the daemon can meet ends in one clear line and a non-zero exit, or
# in a documented degradation that the exposition shows; never a crash or a silently empty
# exporter.
#
#  (a) no BPF privileges (root without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN): exit 1, one line
#      naming the missing capabilities;
#  (b) a config file that is a directory, a dangling symlink, deleted, a device or a FIFO: exit 2
#      within 30 s, one line naming the file (grouping config and web config);
#  (c) --path.procfs at a tree that is not the live procfs (a copy of the fixture procfs): the
#      memory collector reports failure with its errors counted, process_* stay (from /proc),
#      and entries removed between scrapes leave every scrape valid;
#  (d) real processes killed while the daemon reads their /proc entries (a swarm of short-lived
#      execs, each killed at a random moment): every scrape valid, the tasks collector successful,
#      no group counter ever goes down;
#  (e) a tiny event ring buffer (--bpf.ringbuf-bytes 4096) under an exec storm: the loss is
#      counted in bpfproc_exporter_events_lost_total{source="ringbuf_full"} and no group counter
#      goes down; an invalid size exits 2;
#  (f) the process table at its limit (--process.max-tracked 64) with 200 more processes: the table
#      stays within the limit, each refused process is counted once in
#      bpfproc_exporter_processes_dropped_total.
# A port already in use is daemon_behaviour (b).
source "$(dirname "$0")/lib.sh"

# valid_exposition FILE: promtool accepts it without a remark (as promtool_lint requires), and it
# has groups and the daemon's process_* metrics: not an empty exporter.
valid_exposition() {
  local output status=0
  output=$(promtool check metrics <"$1" 2>&1) || status=$?
  [[ $status == 0 && -z $output ]] || fail "$1: promtool check metrics exit $status: $(head -n 3 <<<"$output" | tr '\n' ' ')"
  grep -q '^bpfproc_group_cpu_seconds_total{' "$1" || fail "$1 has no bpfproc_group_cpu_seconds_total"
  grep -q '^process_cpu_seconds_total ' "$1" || fail "$1 has no process_cpu_seconds_total"
}

# monotonic BEFORE AFTER: no series of a group counter (bpfproc_group_*_total, and the buckets,
# counts and sums of group histograms) is lower in AFTER than in BEFORE. A group that left
# (retention) is not compared.
monotonic() {
  python3 - "$1" "$2" <<'PY' || fail "a group counter went down between $1 and $2"
import sys
def read(path):
    values = {}
    for line in open(path, encoding='utf-8'):
        if line.startswith('bpfproc_group_') and line.split('{')[0].endswith(('_total', '_bucket', '_count', '_sum')):
            series, value = line.rstrip('\n').rsplit(' ', 1)
            values[series] = float(value)
    return values
before, after = read(sys.argv[1]), read(sys.argv[2])
down = [(s, v, after[s]) for s, v in before.items() if s in after and after[s] < v]
for series, old, new in down[:5]:
    print(f'{series}: {old} -> {new}', file=sys.stderr)
sys.exit(1 if down else 0)
PY
}

# storm SECONDS: a Python process that execs `sleep` as fast as it can and SIGKILLs a random one
# of its 40 youngest children each time, so children die at every stage of being read.
storm_script="$E2E_TMP/storm.py"
cat >"$storm_script" <<'PY'
import random, subprocess, sys, time
end = time.monotonic() + float(sys.argv[1])
children = []
while time.monotonic() < end:
    children.append(subprocess.Popen(['sleep', '30']))
    if len(children) > 40:
        victim = children.pop(random.randrange(len(children)))
        victim.kill()
        victim.wait()
for child in children:
    child.kill()
    child.wait()
PY

# (a) Root without the capabilities BPF needs.
expect_exit 1 '^bpfproc: missing: privileges .*lack CAP_BPF, CAP_PERFMON' \
  setpriv --inh-caps=-all --bounding-set=-bpf,-perfmon,-sys_admin "$BPFPROC" --web.listen-address "127.0.0.1:$(free_port)"

# (b) Config files that cannot be read.
port=$(free_port)
mkdir "$E2E_TMP/config-dir"
ln -s "$E2E_TMP/nowhere.yml" "$E2E_TMP/dangling.yml"
printf 'process_names:\n  - name: all\n    cmdline: [.+]\n' >"$E2E_TMP/deleted.yml"
rm "$E2E_TMP/deleted.yml"
for flag in --config.file --web.config.file; do
  expect_exit 2 "^bpfproc: .*$E2E_TMP/config-dir.*(regular file|directory)" \
    "$BPFPROC" "$flag" "$E2E_TMP/config-dir" --web.listen-address "127.0.0.1:$port"
  expect_exit 2 "^bpfproc: .*$E2E_TMP/dangling\.yml.*No such file" \
    "$BPFPROC" "$flag" "$E2E_TMP/dangling.yml" --web.listen-address "127.0.0.1:$port"
  expect_exit 2 "^bpfproc: .*$E2E_TMP/deleted\.yml.*No such file" \
    "$BPFPROC" "$flag" "$E2E_TMP/deleted.yml" --web.listen-address "127.0.0.1:$port"
done
# A device would never end, a FIFO would block until a writer came: refused before opening.
mkfifo "$E2E_TMP/fifo.yml"
for flag in --config.file --web.config.file; do
  for file in /dev/zero "$E2E_TMP/fifo.yml"; do
    expect_exit 2 "^bpfproc: $file: cannot read.*not a regular file" \
      "$BPFPROC" "$flag" "$file" --web.listen-address "127.0.0.1:$port"
  done
done

# (c) A procfs that is not the live one: a copy of the fixture tree. A stat without CPU lines is
# refused at start.
fixture_proc="$(dirname "$0")/../fixtures/proc"
fake_proc="$E2E_TMP/fixture-proc"
cp -r "$fixture_proc" "$fake_proc"
mkdir "$E2E_TMP/no-cpu-proc"
echo 'btime 1795309369' >"$E2E_TMP/no-cpu-proc/stat"
expect_exit 2 "path\.procfs $E2E_TMP/no-cpu-proc: not a procfs" \
  "$BPFPROC" --path.procfs "$E2E_TMP/no-cpu-proc" --web.listen-address "127.0.0.1:$port"
start_bpfproc --path.procfs "$fake_proc" --memory.interval 200ms --collection.interval 200ms --collection.max-age 0s
memory_failed() {
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/fixture.prom"
  [[ $(series_value 'bpfproc_exporter_collector_success{collector="memory"}' "$E2E_TMP/fixture.prom") == 0 ]]
}
deadline=$((SECONDS + 20))
until memory_failed; do
  ((SECONDS < deadline)) || fail "the memory collector still reports success over $fake_proc"
  sleep 0.2
done
errors=$(series_value 'bpfproc_exporter_collector_errors_total{collector="memory"}' "$E2E_TMP/fixture.prom")
[[ -n $errors && $errors != 0 ]] || fail "memory collector failed with errors_total '$errors'"
valid_exposition "$E2E_TMP/fixture.prom"
pass "--path.procfs at a fixture copy: memory collector success 0 with $errors errors, process_* and groups exported"
# Entries vanish between reads: files of every process, then whole directories, then the rest.
for step in 'rm -f "$fake_proc"/*/smaps_rollup "$fake_proc"/*/status' 'rm -rf "$fake_proc"/[0-9]*' \
  'rm -rf "$fake_proc"/self' 'rm -f "$fake_proc"/stat'; do
  eval "$step"
  sleep 0.5
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/vanished.prom"
  valid_exposition "$E2E_TMP/vanished.prom"
done
kill -0 "$BPFPROC_PID" || fail "the daemon died as fixture entries vanished"
pass "fixture entries removed between reads: the daemon runs and every scrape is valid"
stop "$BPFPROC_PID"

# (d) Processes killed while being read: identities and memory read every 200 ms.
start_bpfproc --memory.interval 200ms --collection.interval 200ms --collection.max-age 0s
spawn "$E2E_TMP/storm.log" python3 "$storm_script" 15
storm_pid=$SPAWNED_PID
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/storm.0.prom"
scrapes=0
while kill -0 "$storm_pid" 2>/dev/null; do
  scrapes=$((scrapes + 1))
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/storm.$scrapes.prom"
  valid_exposition "$E2E_TMP/storm.$scrapes.prom"
  monotonic "$E2E_TMP/storm.$((scrapes - 1)).prom" "$E2E_TMP/storm.$scrapes.prom"
  [[ $(series_value 'bpfproc_exporter_collector_success{collector="tasks"}' "$E2E_TMP/storm.$scrapes.prom") == 1 ]] ||
    fail "the tasks collector failed during the storm"
done
# promtool and the comparison take most of a second each on a loaded 2-core host.
((scrapes >= 5)) || fail "only $scrapes scrapes during the storm"
memory_errors=$(series_value 'bpfproc_exporter_collector_errors_total{collector="memory"}' "$E2E_TMP/storm.$scrapes.prom")
pass "$scrapes scrapes during 15 s of execs killed at random: valid, monotonic, tasks successful (memory errors: $memory_errors)"
stop "$BPFPROC_PID"

# (e) A ring buffer of one page under an exec storm.
expect_exit 2 '^bpfproc: --bpf\.ringbuf-bytes 5000: must be a power of two' \
  "$BPFPROC" --bpf.ringbuf-bytes 5000 --web.listen-address "127.0.0.1:$port"
start_bpfproc --bpf.ringbuf-bytes 4096 --collection.interval 500ms --collection.max-age 0s
lost='bpfproc_exporter_events_lost_total{source="ringbuf_full"}'
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/ring.0.prom"
lost_before=$(series_value "$lost" "$E2E_TMP/ring.0.prom")
storm_pids=()
for _ in 1 2 3; do
  spawn "$E2E_TMP/exec-storm.log" bash -c 'for i in $(seq 1500); do /bin/true; done'
  storm_pids+=("$SPAWNED_PID")
done
scrapes=0
while :; do
  running=0
  for pid in "${storm_pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
  scrapes=$((scrapes + 1))
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/ring.$scrapes.prom"
  valid_exposition "$E2E_TMP/ring.$scrapes.prom"
  monotonic "$E2E_TMP/ring.$((scrapes - 1)).prom" "$E2E_TMP/ring.$scrapes.prom"
  ((running)) || break
  sleep 0.3
done
lost_after=$(series_value "$lost" "$E2E_TMP/ring.$scrapes.prom")
((lost_after > lost_before)) || fail "no ring buffer loss counted in 4,500 execs with a 4 KiB buffer ($lost: $lost_before -> $lost_after)"
pass "4 KiB ring buffer, 4,500 execs: $((lost_after - lost_before)) events counted lost, $scrapes scrapes monotonic"
stop "$BPFPROC_PID"

# (f) The process table at its limit.
limit=64
start_bpfproc --process.max-tracked "$limit" --collection.interval 300ms --collection.max-age 0s
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/limit.0.prom"
dropped_before=$(series_value bpfproc_exporter_processes_dropped_total "$E2E_TMP/limit.0.prom")
mkfifo "$E2E_TMP/swarm.stdin"
exec 4<>"$E2E_TMP/swarm.stdin"  # swarm's stdin, held open: at its end the swarm and its 200 end
exec 3< <(exec "$BPFPROC_TOOLS/swarm" 200 <&4)
swarm_pid=$!
E2E_PIDS+=("$swarm_pid")
read -r -t 30 ready <&3 || fail "swarm 200 did not start"
[[ $ready == ready* ]] || fail "swarm said '$ready'"
sleep 1
forks() { awk '$1 == "processes" { print $2 }' /proc/stat; }  # forks since boot, host-wide
forks_1=$(forks)
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/limit.1.prom"
# Past a pair of full task passes (every 40 collections: 12 s here), which show every live task
# again, the swarm's children included.
sleep 14
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/limit.2.prom"
forks_2=$(forks)
for file in "$E2E_TMP"/limit.{1,2}.prom; do
  valid_exposition "$file"
  tracked=$(series_value bpfproc_exporter_tracked_processes "$file")
  ((tracked <= limit)) || fail "$tracked processes tracked with --process.max-tracked $limit"
done
monotonic "$E2E_TMP/limit.1.prom" "$E2E_TMP/limit.2.prom"
dropped_1=$(series_value bpfproc_exporter_processes_dropped_total "$E2E_TMP/limit.1.prom")
dropped_2=$(series_value bpfproc_exporter_processes_dropped_total "$E2E_TMP/limit.2.prom")
# Each of the swarm's 201 processes (200 sleeping children) is refused and counted, or is tracked
# in its group: how many fit depends on the room the host's other processes left.
admitted=$(series_value 'bpfproc_group_processes{group="swarm"}' "$E2E_TMP/limit.1.prom")
((dropped_1 - dropped_before >= 100 && dropped_1 - dropped_before + ${admitted:-0} >= 200)) ||
  fail "200 new processes at the limit: dropped_total rose by $((dropped_1 - dropped_before)), ${admitted:-0} tracked in group swarm"
# Counted once: later refusals are new processes of the host (other work on it), never more than
# it forked meanwhile (20 for events drained up to 100 ms late).
((dropped_2 - dropped_1 <= forks_2 - forks_1 + 20)) ||
  fail "dropped_total rose by $((dropped_2 - dropped_1)) while the host forked $((forks_2 - forks_1)): processes counted twice"
pass "table at --process.max-tracked $limit: $tracked tracked, the swarm's 200 counted dropped ($dropped_before -> $dropped_1), then +$((dropped_2 - dropped_1)) for $((forks_2 - forks_1)) host forks in 14 s"
exec 3<&- 4<&-
