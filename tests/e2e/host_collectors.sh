#!/usr/bin/env bash
# host_collectors: --collector.host serves node_exporter's node_* series, side by side with
# Debian's prometheus-node-exporter (1.5) on the same host, limited to the collectors bpfproc
# has an equivalent of (cpu, meminfo, loadavg, pressure, diskstats, netdev, filesystem).
#  (a) every node_* series bpfproc serves is served by node_exporter with the same name and labels;
#      bpfproc serves at least 90% of node_exporter's series of the families it claims; static
#      gauges are equal; counters lie between two bpfproc scrapes that enclose node_exporter's
#      scrape; other gauges are close. A table of the figures is printed.
#  (b) --no-collector.host.pressure drops that collector only.
#  (c) a procfs without /proc/pressure (a copy of the fixture procfs): host.pressure reports
#      success 0 and serves nothing, says so once in the log, and the scrape and the other host
#      collectors are unharmed.
source "$(dirname "$0")/lib.sh"

readonly NODE_EXPORTER=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
if [[ ! -x $NODE_EXPORTER ]]; then
  [[ ${BPFPROC_REQUIRE_BPF:-} == 1 ]] && fail "$NODE_EXPORTER is missing (scripts/setup installs prometheus-node-exporter)"
  echo "skip [$E2E_NAME]: $NODE_EXPORTER is missing (scripts/setup installs prometheus-node-exporter)"
  exit 77
fi
readonly FIXTURE_PROC="$(cd "$(dirname "$0")/../fixtures/proc" && pwd)"

# ---- (a) side by side

node_port=$(free_port)
spawn "$E2E_TMP/node_exporter.log" "$NODE_EXPORTER" --web.listen-address "127.0.0.1:$node_port" \
  --collector.disable-defaults --collector.cpu --collector.meminfo --collector.loadavg --collector.pressure \
  --collector.diskstats --collector.netdev --collector.filesystem
node_pid=$SPAWNED_PID
wait_http "http://127.0.0.1:$node_port/metrics" 30 "$node_pid" "node_exporter ($E2E_TMP/node_exporter.log)"
start_bpfproc --collector.host

# bpfproc, node_exporter, bpfproc: every counter of node_exporter's scrape lies between the two
# bpfproc scrapes. A scrape is served from a collection at most --collection.max-age (default
# 100 ms) old, so the second one waits 0.3 s: its collection comes after node_exporter's reads.
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/before.prom"
scrape "http://127.0.0.1:$node_port/metrics" "$E2E_TMP/node.prom"
sleep 0.3
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/after.prom"

# compare BEFORE NODE AFTER: the checks of (a); prints the figures, exits 1 with the reasons.
compare() {
  python3 - "$@" <<'PY'
import re, sys

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
PAIR = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')

def parse(path):
    series, types = {}, {}
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('# TYPE '):
            _, _, name, kind = line.split(' ')
            types[name] = kind
            continue
        if not line or line.startswith('#'):
            continue
        match = LINE.match(line)
        if not match:
            sys.exit(f'{path}: unparsable line {line!r}')
        name, labels, value = match.groups()
        key = (name, tuple(sorted(PAIR.findall(labels or ''))))
        if key in series:
            sys.exit(f'{path}: duplicate series {line!r}')
        series[key] = float(value)
    return series, types

before, _ = parse(sys.argv[1])
node, node_types = parse(sys.argv[2])
after, types = parse(sys.argv[3])

# The families bpfproc claims: node_exporter's of these prefixes, but for the ones left out on
# purpose (README: a netlink-only counter).
CLAIMED = ('node_cpu_seconds_total', 'node_cpu_guest_seconds_total', 'node_memory_', 'node_load',
           'node_pressure_', 'node_disk_', 'node_network_', 'node_filesystem_')
LEFT_OUT = {'node_network_receive_nohandler_total'}
# Gauges that do not move while the host runs.
STATIC = re.compile(r'^node_(memory_(MemTotal|SwapTotal|HugePages_Total|Hugepagesize|VmallocTotal|CommitLimit)(_bytes)?'
                    r'|filesystem_(size_bytes|files|readonly|device_error)|disk_info)$')

def claimed(name):
    return name.startswith(CLAIMED) and name not in LEFT_OUT

ours = {key for key in after if key[0].startswith('node_')}
problems = []
for key in sorted(ours):
    if key not in node:
        problems.append(f'bpfproc serves {key[0]}{dict(key[1])}, node_exporter does not')
    elif not claimed(key[0]):
        problems.append(f'bpfproc serves {key[0]}, which is not among the claimed families')
    if key not in before:
        problems.append(f'{key[0]}{dict(key[1])} is missing from the first bpfproc scrape')
theirs = {key for key in node if claimed(key[0])}
families_theirs = {name for name, _ in theirs}
families_ours = {name for name, _ in ours}
matched = ours & theirs
differences = []
counters = gauges = static = 0
for key in sorted(matched):
    name, labels = key
    value, low, high = node[key], before.get(key), after[key]
    if types.get(name) != node_types.get(name):
        problems.append(f'{name}: type {types.get(name)} here, {node_types.get(name)} in node_exporter')
    if types.get(name) == 'counter':
        counters += 1
        # node_exporter's value was read between bpfproc's two reads (a relative 1e-12 for decimals).
        slack = 1e-12 * max(abs(high), 1.0)
        # The kernel's idle and iowait of a CPU may step back by a tick between reads; each
        # exporter keeps its last value then, so the two may differ by that much.
        if name.startswith('node_cpu_'):
            slack += 0.02
        if low is None or not (low - slack <= value <= high + slack):
            differences.append(f'{name}{dict(labels)}: node_exporter {value}, bpfproc {low} then {high}')
    elif STATIC.match(name):
        static += 1
        if value != high:
            differences.append(f'{name}{dict(labels)}: node_exporter {value}, bpfproc {high} (static)')
    else:
        gauges += 1
        # Moving gauges: memory within 2% of MemTotal, filesystems within 1% of their size, load
        # within 1 (it is updated every 5 s), I/Os in progress within 64.
        total = node.get(('node_memory_MemTotal_bytes', ()), 0)
        size = node.get(('node_filesystem_size_bytes', labels), 0)
        bound = (0.02 * total if name.startswith('node_memory_') and name.endswith('_bytes') else
                 0.01 * size if name.startswith('node_filesystem_') and name.endswith('bytes') else
                 0.01 * node.get(('node_filesystem_files', labels), 0) if name == 'node_filesystem_files_free' else
                 1.0 if name.startswith('node_load') else 64 if name == 'node_disk_io_now' else
                 0.02 * max(abs(value), 1.0) * 50)  # counts (HugePages_Free ...): loose
        if abs(value - high) > bound and abs(value - (low if low is not None else high)) > bound:
            differences.append(f'{name}{dict(labels)}: node_exporter {value}, bpfproc {low} then {high} (gauge, bound {bound:g})')

coverage = len(matched) / len(theirs) if theirs else 0
print(f'families: node_exporter serves {len(families_theirs)} claimed, bpfproc {len(families_ours)}, '
      f'in common {len(families_ours & families_theirs)}')
print(f'series: node_exporter {len(theirs)} claimed, bpfproc {len(ours)}, same name and labels {len(matched)} '
      f'({100 * coverage:.1f}%): {counters} counters, {static} static gauges, {gauges} moving gauges compared')
for name in sorted(families_theirs - families_ours):
    print(f'  node_exporter only: {name}')
print(f'value differences: {len(differences)}')
for line in differences[:20]:
    print('  ' + line)
if coverage < 0.9:
    problems.append(f'bpfproc serves {len(matched)} of node_exporter\'s {len(theirs)} claimed series, under 90%')
if len(families_theirs & families_ours) < 0.9 * len(families_theirs):
    problems.append('bpfproc serves under 90% of the claimed families')
problems += differences
if problems:
    print('\n'.join('FAIL: ' + line for line in problems[:30]), file=sys.stderr)
    sys.exit(1)
PY
}
figures=$(compare "$E2E_TMP/before.prom" "$E2E_TMP/node.prom" "$E2E_TMP/after.prom") ||
  fail "bpfproc's node_* series differ from node_exporter's: $(tail -n 30 <<<"$figures")"
echo "$figures"
for collector in cpu memory load pressure disk network filesystem; do
  [[ $(series_value "bpfproc_exporter_collector_success{collector=\"host.$collector\"}" "$E2E_TMP/after.prom") == 1 ]] ||
    fail "collector host.$collector did not succeed"
  grep -q "^bpfproc_exporter_collector_duration_seconds_count{collector=\"host.$collector\"} " "$E2E_TMP/after.prom" ||
    fail "no duration of host.$collector"
done
if command -v promtool >/dev/null; then
  # Its lint objects to node_exporter's own names (node_memory_MemTotal_bytes is camelCase): only
  # problems of other lines, or a text it cannot parse, count.
  promtool check metrics <"$E2E_TMP/after.prom" >"$E2E_TMP/promtool.txt" 2>&1 || true
  problems=$(grep -v '^node_' "$E2E_TMP/promtool.txt" || true)
  [[ -z $problems ]] || fail "promtool check metrics: $(head -n 3 <<<"$problems" | tr '\n' ' ')"
fi
pass "--collector.host: node_* series as node_exporter serves them ($(sed -n 2p <<<"$figures"))"
stop "$BPFPROC_PID"
stop "$node_pid"

# ---- (b) one collector switched off

start_bpfproc --collector.host --no-collector.host.pressure
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/no-pressure.prom"
grep -q '^node_pressure_' "$E2E_TMP/no-pressure.prom" && fail "--no-collector.host.pressure still serves node_pressure_*"
grep -q 'collector="host.pressure"' "$E2E_TMP/no-pressure.prom" && fail "--no-collector.host.pressure still runs host.pressure"
grep -q '^node_cpu_seconds_total{' "$E2E_TMP/no-pressure.prom" || fail "--no-collector.host.pressure lost node_cpu_seconds_total"
grep -q '^node_load1 ' "$E2E_TMP/no-pressure.prom" || fail "--no-collector.host.pressure lost node_load1"
stop "$BPFPROC_PID"
start_bpfproc --collector.host.load
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/load-only.prom"
families=$(grep -oE '^node_[a-z0-9_]+' "$E2E_TMP/load-only.prom" | LC_ALL=C sort -u | tr '\n' ' ')
[[ $families == "node_load1 node_load15 node_load5 " ]] || fail "--collector.host.load alone serves: $families"
stop "$BPFPROC_PID"
pass "--no-collector.host.pressure drops node_pressure_* only; --collector.host.load alone serves node_load*"

# ---- (c) a kernel without pressure stall information

fake_proc="$E2E_TMP/proc-without-psi"
cp -r "$FIXTURE_PROC" "$fake_proc"
rm -r "$fake_proc/pressure"
start_bpfproc --path.procfs "$fake_proc" --collector.host --collection.interval 200ms
sleep 1  # several collections
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/no-psi.prom"
[[ $(series_value 'bpfproc_exporter_collector_success{collector="host.pressure"}' "$E2E_TMP/no-psi.prom") == 0 ]] ||
  fail "host.pressure reports success without /proc/pressure"
grep -q '^node_pressure_' "$E2E_TMP/no-psi.prom" && fail "node_pressure_* served without /proc/pressure"
for collector in cpu memory load disk network filesystem; do
  [[ $(series_value "bpfproc_exporter_collector_success{collector=\"host.$collector\"}" "$E2E_TMP/no-psi.prom") == 1 ]] ||
    fail "host.$collector failed on the fixture procfs"
done
[[ $(series_value 'node_load1' "$E2E_TMP/no-psi.prom") == 7.51 ]] || fail "node_load1 is not the fixture's 7.51"
lines=$(grep -c 'host.pressure' "$BPFPROC_LOG" || true)
[[ $lines == 1 ]] || fail "host.pressure logged $lines lines about the missing /proc/pressure, expected 1: $(cat "$BPFPROC_LOG")"
grep 'host.pressure' "$BPFPROC_LOG" | grep -q 'pressure/cpu' || fail "the log line does not name the missing file"
kill -0 "$BPFPROC_PID" || fail "bpfproc exited"
pass "without /proc/pressure: host.pressure success 0, nothing served, one log line: $(grep 'host.pressure' "$BPFPROC_LOG" | cut -c1-160)"

# ---- (d) the filter flags, side by side with node_exporter's. node_exporter 1.5 wants the
# default exclude cleared by hand next to an include; bpfproc clears it when only the include is given.

filters_port=$(free_port)
spawn "$E2E_TMP/node_exporter-filters.log" "$NODE_EXPORTER" --web.listen-address "127.0.0.1:$filters_port" \
  --collector.disable-defaults --collector.diskstats --collector.netdev --collector.filesystem \
  '--collector.diskstats.device-include=^(vda|loop0|zram0)$' '--collector.netdev.device-include=^lo$' \
  --collector.diskstats.device-exclude= --collector.netdev.device-exclude= \
  '--collector.filesystem.mount-points-exclude=^/(proc|sys)($|/)' '--collector.filesystem.fs-types-exclude=^(proc|sysfs|cgroup2?)$'
wait_http "http://127.0.0.1:$filters_port/metrics" 30 "$SPAWNED_PID" "node_exporter ($E2E_TMP/node_exporter-filters.log)"
start_bpfproc --collector.host.disk --collector.host.network --collector.host.filesystem \
  --collector.host.disk.device-include '^(vda|loop0|zram0)$' --collector.host.network.device-include '^lo$' \
  --collector.host.filesystem.mount-points-exclude '^/(proc|sys)($|/)' \
  --collector.host.filesystem.fs-types-exclude '^(proc|sysfs|cgroup2?)$'
scrape "http://127.0.0.1:$filters_port/metrics" "$E2E_TMP/node-filters.prom"
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/filters.prom"
for metric_label in node_disk_reads_completed_total:device node_network_receive_bytes_total:device \
  node_filesystem_device_error:mountpoint; do
  metric=${metric_label%:*} label=${metric_label#*:}
  theirs=$(label_values "$metric" "$label" "$E2E_TMP/node-filters.prom" | cut -f2 | sort | tr '\n' ' ')
  ours=$(label_values "$metric" "$label" "$E2E_TMP/filters.prom" | cut -f2 | sort | tr '\n' ' ')
  [[ -n $ours && $ours == "$theirs" ]] || fail "$metric $label: bpfproc serves '$ours', node_exporter '$theirs'"
done
pass "the filter flags select what node_exporter's do: devices $(label_values node_disk_reads_completed_total device "$E2E_TMP/filters.prom" | cut -f2 | tr '\n' ' ')and $(label_values node_filesystem_device_error mountpoint "$E2E_TMP/filters.prom" | wc -l) mount points"
expect_exit 2 "^bpfproc: --collector.host.filesystem.fs-types-exclude '\(ext4': not a regular expression: " \
  "$BPFPROC" --collector.host.filesystem.fs-types-exclude '(ext4'
