#!/usr/bin/env bash
# least_privilege: once its programs are attached, the daemon keeps only CAP_SYS_PTRACE and
# CAP_DAC_READ_SEARCH (plus CAP_BPF on kernels before 6.5 that refuse bpf() without it), in every
# set, with no_new_privs; with --run-as it is that user. Read from /proc/PID/status of the running
# daemon, and checked to still do its work: CPU, exits and the memory of a root process (ptrace
# read access), and a reload of a config only root may read (CAP_DAC_READ_SEARCH).
source "$(dirname "$0")/lib.sh"

readonly PTRACE_AND_DAC_READ_SEARCH=0000000000080004  # bits 19 and 2
readonly WITH_BPF=0000008000080004                     # and bit 39, CAP_BPF
release=$(uname -r)
major=${release%%.*}
minor=${release#*.}
minor=${minor%%[!0-9]*}
new_kernel=0
((major > 6 || (major == 6 && minor >= 5))) && new_kernel=1

# status_field PID FIELD: the first value of a /proc/PID/status line.
status_field() { awk -v field="$2:" '$1 == field { print $2; exit }' "/proc/$1/status"; }

# expect_least_privilege PID UID [EXTRA BITS]: the two capabilities (and EXTRA, a hex mask).
expect_least_privilege() {
  local pid=$1 uid=$2 extra=${3:-0} set value want with_bpf
  want=$(printf '%016x' $((0x$PTRACE_AND_DAC_READ_SEARCH | extra)))
  with_bpf=$(printf '%016x' $((0x$WITH_BPF | extra)))
  [[ $(status_field "$pid" Uid) == "$uid" ]] || fail "Uid $(status_field "$pid" Uid), expected $uid"
  for set in CapEff CapPrm CapBnd; do
    value=$(status_field "$pid" "$set")
    if ((new_kernel)); then
      [[ $value == "$want" ]] || fail "$set $value, expected $want on $release"
    else
      [[ $value == "$want" || $value == "$with_bpf" ]] || fail "$set $value on $release"
    fi
  done
  [[ $(status_field "$pid" CapInh) == 0000000000000000 ]] || fail "CapInh $(status_field "$pid" CapInh)"
  [[ $(status_field "$pid" CapAmb) == 0000000000000000 ]] || fail "CapAmb $(status_field "$pid" CapAmb)"
  [[ $(status_field "$pid" NoNewPrivs) == 1 ]] || fail "NoNewPrivs $(status_field "$pid" NoNewPrivs)"
  pass "pid $pid: Uid $uid, CapEff/CapPrm/CapBnd $(status_field "$pid" CapEff), CapAmb 0, NoNewPrivs 1"
}

# A bad user is bad input, refused before anything is loaded.
expect_exit 2 '^bpfproc: --run-as no-such-user-here: no such user$' \
  "$BPFPROC" --web.listen-address "127.0.0.1:$(free_port)" --run-as no-such-user-here

ln -s "$BPFPROC_TOOLS/burn" "$E2E_TMP/privburn"
readonly CONFIG="$E2E_TMP/config.yml"
printf 'process_names:\n  - name: privburn\n    comm: [privburn]\n' >"$CONFIG"
chmod 600 "$CONFIG"  # root's alone, in a 0700 directory: read back at reload by CAP_DAC_READ_SEARCH only

# As root, before: the full set the test runs with.
echo "measured: CapEff of the test (root) before: $(status_field $$ CapEff)"

start_bpfproc --run-as nobody --config.file "$CONFIG" --collection.interval 1s --memory.interval 1s
expect_least_privilege "$BPFPROC_PID" 65534
grep -q 'dropped privileges and became nobody' "$BPFPROC_LOG" || fail "no log line for the drop: $(cat "$BPFPROC_LOG")"

# A root process: its smaps_rollup needs ptrace read access, which nobody has only by capability.
spawn "$E2E_TMP/burn.log" "$E2E_TMP/privburn" 0
burn_pid=$SPAWNED_PID
deadline=$((SECONDS + 20))
until
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/live.prom"
  pss=$(series_value 'bpfproc_group_memory_bytes{group="privburn",kind="pss"}' "$E2E_TMP/live.prom")
  cpu=$(series_value 'bpfproc_group_cpu_seconds_total{group="privburn",mode="user"}' "$E2E_TMP/live.prom")
  [[ -n $pss && $pss != 0 && -n $cpu ]] && awk -v cpu="$cpu" 'BEGIN { exit !(cpu > 0.2) }'
do
  ((SECONDS < deadline)) || fail "group privburn: pss '$pss', user CPU '$cpu' after 20 s"
  sleep 0.5
done
pass "a root process as seen by nobody: pss $pss bytes, user CPU ${cpu}s"

stop "$burn_pid"
wait_series 'bpfproc_group_process_exits_total{group="privburn"}' 1 10
pass "its exit is counted (the kernel's exit records still drain)"

printf 'process_names:\n  - name: privrenamed\n    comm: [privburn]\n' >"$CONFIG"
kill -HUP "$BPFPROC_PID"
deadline=$((SECONDS + 10))
until grep -q 'reloaded' "$BPFPROC_LOG"; do
  ((SECONDS < deadline)) || fail "no reload of the 0600 config: $(tail -3 "$BPFPROC_LOG")"
  sleep 0.2
done
grep -q 'reload rejected' "$BPFPROC_LOG" && fail "$(grep 'reload rejected' "$BPFPROC_LOG")"
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/reloaded.prom"
[[ $(series_value bpfproc_exporter_config_last_reload_successful "$E2E_TMP/reloaded.prom") == 1 ]] ||
  fail "bpfproc_exporter_config_last_reload_successful is not 1 after the reload"
pass "a config only root may read is reloaded by nobody"
stop "$BPFPROC_PID"
((STOPPED_STATUS == 0)) || fail "SIGTERM: exit $STOPPED_STATUS"

# Without --run-as: still root, with the same two capabilities.
start_bpfproc --no-collector.memory
expect_least_privilege "$BPFPROC_PID" 0
stop "$BPFPROC_PID"

# process-exporter's wchan names read /proc/kallsyms as addresses come, whose addresses only
# CAP_SYSLOG sees: kept with --compat.process-exporter, and the names are real.
start_bpfproc --no-collector.memory --compat.process-exporter --threads
expect_least_privilege "$BPFPROC_PID" 0 $((1 << 34))
deadline=$((SECONDS + 20))
until
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/compat.prom"
  grep -q '^namedprocess_namegroup_threads_wchan{.*wchan="[a-z_]' "$E2E_TMP/compat.prom"
do
  ((SECONDS < deadline)) || fail "no named wchan: $(grep -m3 threads_wchan "$E2E_TMP/compat.prom")"
  sleep 0.5
done
pass "wchan names resolved: $(grep -m1 '^namedprocess_namegroup_threads_wchan{' "$E2E_TMP/compat.prom")"
