#!/usr/bin/env bash
# process_exporter_parity: the same config gives the same groups in bpfproc as in Debian's
# prometheus-process-exporter (0.7.10), side by side on one host.
#
# A long-lived workload of a few programs (sleep, dash, python3 and perl, each through a symlink
# whose name starts with "parity-", so that its comm is unlike any other process's), with distinct
# argv (a full path or a PATH lookup for argv[0], a rewritten argv[0], arguments that regexes
# capture), in two working directories, some in a cgroup v2 made for the test, some as nobody,
# and one with a child that matches no rule.
# For each config of tests/fixtures/config/parity/ (process-exporter's README and test shapes,
# and shapes from its issues), both exporters start on the same host, each is scraped, and the
# groups with processes are compared: the same names with the same process counts. Groups of
# other processes are left out where a config's rules take every process (the names of the
# workload's groups hold "parity"). A table of every compared group is printed.
#
# {{.Cwd}} is bpfproc's own field: process-exporter 0.7.10 has none, and its template stops where
# the field is. For that config, bpfproc's groups, cut where process-exporter's names stop, must
# add up to process-exporter's.
source "$(dirname "$0")/lib.sh"

readonly PROCESS_EXPORTER=${PROCESS_EXPORTER:-/usr/bin/prometheus-process-exporter}
readonly CONFIGS="$(dirname "$0")/../fixtures/config/parity"
if [[ ! -x $PROCESS_EXPORTER ]]; then
  [[ ${BPFPROC_REQUIRE_BPF:-} == 1 ]] && fail "$PROCESS_EXPORTER is missing (scripts/setup installs prometheus-process-exporter)"
  echo "skip [$E2E_NAME]: $PROCESS_EXPORTER is missing (scripts/setup installs prometheus-process-exporter)"
  exit 77
fi
command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed to run workload processes as nobody"

# ---- The workload

readonly BIN="$E2E_TMP/bin"
mkdir -p "$BIN" "$E2E_TMP/cwd-a" "$E2E_TMP/cwd b"
chmod 711 "$E2E_TMP"  # nobody's processes exec from $BIN
ln -s /usr/bin/sleep "$BIN/parity-sleep"
ln -s /bin/sh "$BIN/parity-sh"  # /bin/sh -> dash: argv[0] says one thing, /proc/PID/exe another
ln -s /usr/bin/perl "$BIN/parity-perl"
have_python=0
if [[ -x /usr/bin/python3 ]]; then
  ln -s /usr/bin/python3 "$BIN/parity-py"  # itself a symlink to python3.X
  have_python=1
fi
export PATH="$BIN:$PATH"
readonly FIFO="$E2E_TMP/never-written"
mkfifo "$FIFO"
make_cgroup workload
readonly CGROUP=$MADE_CGROUP

# workload CGROUP DIR USER ARGV0 PROGRAM ARGS...: a long-lived process of PROGRAM that reads a FIFO
# nobody writes (<> holds a write end, so it never sees EOF). CGROUP, USER and ARGV0 may be "-"
# for the test's own cgroup, root and PROGRAM as given.
WORKLOAD_PIDS=()
workload() {
  local cgroup=$1 dir=$2 user=$3 argv0=$4
  shift 4
  local as_user=()
  [[ $user == - ]] || as_user=(setpriv "--reuid=$user" "--regid=$user" --clear-groups)
  spawn "$E2E_TMP/workload-${#WORKLOAD_PIDS[@]}.log" bash -c '
    fifo=$1 cgroup=$2 dir=$3 argv0=$4
    shift 4
    [[ $cgroup == - ]] || echo $$ >"$cgroup/cgroup.procs" || exit 1
    cd "$dir" || exit 1
    if [[ $argv0 == - ]]; then exec "$@" <>"$fifo"; fi
    exec -a "$argv0" "$@" <>"$fifo"' workload "$FIFO" "$cgroup" "$dir" "$argv0" "${as_user[@]}" "$@"
  WORKLOAD_PIDS+=("$SPAWNED_PID")
}

readonly A="$E2E_TMP/cwd-a" B="$E2E_TMP/cwd b"
workload - "$A" - - "$BIN/parity-sleep" 1001
workload - "$A" - - "$BIN/parity-sleep" 1002
workload "$CGROUP" "$B" - - parity-sleep 1003
workload "$CGROUP" "$B" 65534 - parity-sleep 1004
workload - "$A" - "parity-daemon: worker" "$BIN/parity-sleep" 1005
workload - "$A" - - parity-sh -c 'read x' parity-sh-a
workload "$CGROUP" "$B" 65534 - "$BIN/parity-sh" -c 'read x' parity-sh-b
workload - "$B" - - parity-perl -e '<STDIN>' parity-perl-x
# A child that matches no rule of the selective configs: both exporters put it in its parent's
# group (process-exporter's -children, bpfproc's children: true). In the cgroup, so that the
# EXIT trap kills it with its parent.
workload "$CGROUP" "$A" - - parity-sh -c 'sleep 1006 & read x' parity-sh-c
if ((have_python)); then
  readonly PY='import sys; sys.stdin.read()'
  workload - "$A" - - parity-py -c "$PY" --queue=mail
  workload "$CGROUP" "$B" - - parity-py -c "$PY" --queue=jobs
  workload - "$B" - - "$BIN/parity-py" -c "$PY" --queue=mail
fi

# Every workload process must have exec'd before an exporter first sees it: process-exporter
# decides a process once, at first sight, and ignores it for good if it matched no rule then.
deadline=$((SECONDS + 10))
for pid in "${WORKLOAD_PIDS[@]}"; do
  until [[ $(cat "/proc/$pid/comm" 2>/dev/null) == parity-* ]]; do
    kill -0 "$pid" 2>/dev/null || fail "workload process $pid exited: $(cat "$E2E_TMP"/workload-*.log)"
    ((SECONDS < deadline)) || fail "workload process $pid did not exec within 10 s"
    sleep 0.05
  done
done
until pgrep -f -x 'sleep 1006' >/dev/null; do
  ((SECONDS < deadline)) || fail "the workload's child 'sleep 1006' did not start within 10 s"
  sleep 0.05
done
pass "${#WORKLOAD_PIDS[@]} workload processes and a child (python3: $((have_python)))"

# ---- Side by side

# groups_with_processes METRIC LABEL FILE: "count<TAB>name" of each group with processes.
groups_with_processes() {
  label_values "$1" "$2" "$3" | awk -F'\t' '$1 + 0 > 0 { printf "%d\t%s\n", $1, $2 }'
}

# Groups that exist only because every process matches: the workload's names hold "parity".
declare -A ONLY_WORKLOAD=([01-comm.yml]=1 [08-first-match.yml]=1)
# For a config with bpfproc's own {{.Cwd}}: how process-exporter cuts bpfproc's names.
declare -A PROCESS_EXPORTER_CUT=([10-cwd.yml]='s/@.*/@/')

table="$E2E_TMP/table.txt"
printf '%-22s %-92s %6s %8s\n' config group pe bpfproc >"$table"
mismatches=()
started=$SECONDS
for config_file in "$CONFIGS"/*.yml; do
  config=$(basename "$config_file")
  sed "s|@BIN@|$BIN|g" "$config_file" >"$E2E_TMP/$config"

  pe_port=$(free_port)
  spawn "$E2E_TMP/pe-$config.log" "$PROCESS_EXPORTER" -config.path "$E2E_TMP/$config" -procfs /proc \
    -web.listen-address "127.0.0.1:$pe_port" -gather-smaps=false -threads=false
  pe_pid=$SPAWNED_PID
  start_bpfproc --config.file "$E2E_TMP/$config" --series.limit 0
  wait_http "http://127.0.0.1:$pe_port/metrics" 30 "$pe_pid" "process-exporter ($E2E_TMP/pe-$config.log)"
  scrape "http://127.0.0.1:$pe_port/metrics" "$E2E_TMP/pe-$config.prom"
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/bpfproc-$config.prom"
  # Stopped without waiting (bpfproc takes ~2 s to detach): the EXIT trap reaps them.
  kill -TERM "$BPFPROC_PID" "$pe_pid"

  groups_with_processes namedprocess_namegroup_num_procs groupname "$E2E_TMP/pe-$config.prom" >"$E2E_TMP/pe.groups"
  groups_with_processes bpfproc_group_processes group "$E2E_TMP/bpfproc-$config.prom" >"$E2E_TMP/bpfproc.groups"
  if [[ -n ${ONLY_WORKLOAD[$config]:-} ]]; then
    for side in pe bpfproc; do
      awk -F'\t' 'index($2, "parity")' "$E2E_TMP/$side.groups" >"$E2E_TMP/$side.kept" && mv "$E2E_TMP/$side.kept" "$E2E_TMP/$side.groups"
    done
  fi
  [[ -s $E2E_TMP/pe.groups ]] || fail "$config: process-exporter has no group of the workload; is the config right?"

  # One row per group name: "name<TAB>pe count<TAB>bpfproc count", absent = 0.
  python3 - "$E2E_TMP/pe.groups" "$E2E_TMP/bpfproc.groups" "${PROCESS_EXPORTER_CUT[$config]:-}" <<'PY' >"$E2E_TMP/rows"
import re, sys
def read(path):
    groups = {}
    for line in open(path, encoding='utf-8'):
        count, name = line.rstrip('\n').split('\t', 1)
        groups[name] = groups.get(name, 0) + int(count)
    return groups
pe, bpfproc = read(sys.argv[1]), read(sys.argv[2])
cut = sys.argv[3]
if cut:  # only "s/REGEX/REPLACEMENT/" is needed here
    _, pattern, replacement, _ = cut.split('/')
    for name, count in list(bpfproc.items()):
        print(f'{name}\t-\t{count}')
    merged = {}
    for name, count in bpfproc.items():
        key = re.sub(pattern, replacement, name, count=1)
        merged[key] = merged.get(key, 0) + count
    bpfproc = {f'{name} (cut)': count for name, count in merged.items()}
    pe = {f'{name} (cut)': count for name, count in pe.items()}
for name in sorted(set(pe) | set(bpfproc)):
    print(f'{name}\t{pe.get(name, 0)}\t{bpfproc.get(name, 0)}')
PY
  while IFS=$'\t' read -r name pe_count bpfproc_count; do
    printf '%-22s %-92s %6s %8s\n' "$config" "$name" "$pe_count" "$bpfproc_count" >>"$table"
    [[ $pe_count == - || $pe_count == "$bpfproc_count" ]] ||
      mismatches+=("$config: \"$name\" has $pe_count processes in process-exporter, $bpfproc_count in bpfproc")
  done <"$E2E_TMP/rows"
done
elapsed=$((SECONDS - started))

sed 's/^/    /' "$table"
((${#mismatches[@]} == 0)) || fail "$(printf '%s; ' "${mismatches[@]}")"
pass "$(ls "$CONFIGS"/*.yml | wc -l) configs give the same groups and process counts as process-exporter ($elapsed s)"

# ---- Dashboards keep working: every metric name and label set process-exporter serves (its
# defaults: -threads and -gather-smaps on) is served by bpfproc with --compat.process-exporter and
# --threads, with the same process counts.
config=01-comm.yml
pe_port=$(free_port)
spawn "$E2E_TMP/pe-compat.log" "$PROCESS_EXPORTER" -config.path "$E2E_TMP/$config" -procfs /proc \
  -web.listen-address "127.0.0.1:$pe_port"
pe_pid=$SPAWNED_PID
start_bpfproc --config.file "$E2E_TMP/$config" --series.limit 0 --compat.process-exporter --threads
wait_http "http://127.0.0.1:$pe_port/metrics" 30 "$pe_pid" "process-exporter ($E2E_TMP/pe-compat.log)"
scrape "http://127.0.0.1:$pe_port/metrics" "$E2E_TMP/pe-compat.prom"
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/bpfproc-compat.prom"
kill -TERM "$BPFPROC_PID" "$pe_pid"
python3 - "$E2E_TMP/pe-compat.prom" "$E2E_TMP/bpfproc-compat.prom" <<'PY' >"$E2E_TMP/compat.txt" || fail "$(cat "$E2E_TMP/compat.txt")"
import re, sys
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"')
def read(path):
    shapes, procs, wchans = set(), {}, {}
    for line in open(path, encoding='utf-8'):
        match = SAMPLE.match(line)
        if not match or not match.group(1).startswith('namedprocess_'):
            continue
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', match.group(2) or ''))
        shapes.add((match.group(1), tuple(sorted(labels))))
        if match.group(1) == 'namedprocess_namegroup_num_procs' and 'parity' in labels['groupname']:
            procs[labels['groupname']] = float(line.rsplit(' ', 1)[1])
        if match.group(1) == 'namedprocess_namegroup_threads_wchan' and 'parity' in labels['groupname']:
            wchans[(labels['groupname'], labels['wchan'])] = float(line.rsplit(' ', 1)[1])
    return shapes, procs, wchans
pe, pe_procs, pe_wchans = read(sys.argv[1])
bpfproc, bpfproc_procs, bpfproc_wchans = read(sys.argv[2])
missing = sorted(pe - bpfproc)
for name, labels in sorted(pe):
    print(f"    {'ok     ' if (name, labels) in bpfproc else 'absent '}{name}{{{','.join(labels)}}}")
if missing:
    print('bpfproc --compat.process-exporter lacks ' + '; '.join(f"{n}{{{','.join(l)}}}" for n, l in missing))
    sys.exit(1)
if pe_wchans != bpfproc_wchans or not pe_wchans:
    print(f'threads_wchan of the workload differs: process-exporter {pe_wchans}, bpfproc {bpfproc_wchans}')
    sys.exit(1)
if pe_procs != bpfproc_procs:
    print(f'namedprocess_namegroup_num_procs differs: process-exporter {pe_procs}, bpfproc {bpfproc_procs}')
    sys.exit(1)
print(f'    all {len(pe)} metric and label sets of process-exporter served; num_procs agrees on {len(pe_procs)} groups, '
      f'threads_wchan on {len(pe_wchans)} (group, wchan) pairs: {sorted(set(w for _, w in pe_wchans))}')
PY
cat "$E2E_TMP/compat.txt"
pass "--compat.process-exporter serves every metric and label set process-exporter serves here"
