#!/usr/bin/env bash
# systemd_unit: packaging/bpfproc.service is a unit systemd accepts, with the promised hardening,
# and bpfproc works with exactly the privileges it grants.
#  - `systemd-analyze verify` of a copy whose ExecStart is the binary under test (verify wants
#    the binary to exist; the installed unit names /usr/bin/bpfproc) prints nothing and exits 0;
#    a copy with a misspelt key is caught;
#  - the keys: a dedicated user, AmbientCapabilities and CapabilityBoundingSet both exactly
#    CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_DAC_READ_SEARCH, ProtectSystem=strict, ProtectHome,
#    NoNewPrivileges, PrivateTmp, Restart=on-failure, SIGHUP reload, the config flags; and none of
#    the settings that would break it (ProtectProc=invisible, PrivateUsers, ProtectKernelTunables,
#    which hides /proc/kallsyms from libbpf);
#  - the daemon, started as systemd would start it (no running systemd here: setpriv), as user
#    nobody with only the unit's capabilities as ambient and bounding set, no new privileges and
#    a 64 KiB RLIMIT_MEMLOCK (no CAP_SYS_RESOURCE), loads its programs, serves /metrics and reads
#    the memory of a root-owned process (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH).
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
unit="$root/packaging/bpfproc.service"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (scripts/setup installs systemd)"

# 1. systemd-analyze verify. --man=no: the man page is checked by man_page.sh, and `man` may be
# absent here.
mkdir "$E2E_TMP/units"
sed "s|^ExecStart=/usr/bin/bpfproc |ExecStart=$BPFPROC |" "$unit" >"$E2E_TMP/units/bpfproc.service"
grep -q "^ExecStart=$BPFPROC " "$E2E_TMP/units/bpfproc.service" || fail "ExecStart does not start with /usr/bin/bpfproc"
verify() { (cd "$E2E_TMP/units" && systemd-analyze verify --man=no "$1" 2>&1); }
output=$(verify bpfproc.service) || fail "systemd-analyze verify refuses the unit: $(tr '\n' ' ' <<<"$output")"
[[ -z $output ]] || fail "systemd-analyze verify warns: $(tr '\n' ' ' <<<"$output")"
pass "systemd-analyze verify accepts the unit without a warning"
sed 's/^ProtectSystem=/ProtectSytem=/' "$E2E_TMP/units/bpfproc.service" >"$E2E_TMP/units/misspelt.service"
output=$(verify misspelt.service) || true
grep -q "Unknown key.*'ProtectSytem'" <<<"$output" || fail "a misspelt key was not reported: $output"
pass "a misspelt key is reported"

# 2. The keys. value KEY: the value of KEY in the [Service] section ("" when absent).
value() { awk -F= -v key="$1" '/^\[/ { section = $0 } section == "[Service]" && $1 == key { sub(/^[^=]*=/, ""); print }' "$unit"; }
expect_key() {
  [[ $(value "$1") == "$2" ]] || fail "$1 is '$(value "$1")', expected '$2'"
}
expect_key User bpfproc
expect_key NoNewPrivileges yes
expect_key ProtectSystem strict
expect_key ProtectHome yes
expect_key PrivateTmp yes
expect_key Restart on-failure
expect_key ExecReload '/bin/kill -HUP $MAINPID'
expect_key EnvironmentFile -/etc/default/bpfproc
expect_key ExecStart '/usr/bin/bpfproc --config.file=/etc/bpfproc/config.yml $ARGS'
wanted="CAP_BPF CAP_DAC_READ_SEARCH CAP_PERFMON CAP_SYS_PTRACE"
for key in AmbientCapabilities CapabilityBoundingSet; do
  have=$(value "$key" | tr ' ' '\n' | sort | paste -sd ' ')
  [[ $have == "$wanted" ]] || fail "$key is '$have', expected '$wanted'"
done
for forbidden in ProtectProc=invisible PrivateUsers=yes ProtectKernelTunables=yes DynamicUser=yes; do
  [[ $(value "${forbidden%%=*}") != "${forbidden#*=}" ]] || fail "$forbidden would break bpfproc"
done
pass "hardening keys and the capability set ($wanted) are there"

# The offline exposure score, for the log (systemd 252 has --offline).
if score=$(systemd-analyze security --offline=yes "$E2E_TMP/units/bpfproc.service" 2>/dev/null | tail -n 1); then
  echo "measured: $score"
fi

# 3. The daemon with the unit's privileges: user nobody, the unit's capabilities (lower case, no
# CAP_ prefix, for setpriv), nothing else.
caps=$(value AmbientCapabilities | tr 'A-Z' 'a-z' | sed 's/cap_//g; s/\([a-z_]*\)/+\1/g; s/ /,/g')
spawn "$E2E_TMP/burn.log" "$BPFPROC_TOOLS/burn" 0
burn_pid=$SPAWNED_PID
port=$(free_port)
BPFPROC_URL="http://127.0.0.1:$port"
spawn "$E2E_TMP/unit-daemon.log" prlimit --memlock=65536 -- \
  setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs \
  --inh-caps="-all,$caps" --ambient-caps="-all,$caps" --bounding-set="-all,$caps" -- \
  "$BPFPROC" --config.file="$root/packaging/config.yml" --web.listen-address="127.0.0.1:$port"
daemon_pid=$SPAWNED_PID
wait_http "$BPFPROC_URL/metrics" 30 "$daemon_pid" "bpfproc as nobody with ($caps) ($E2E_TMP/unit-daemon.log)"
status=$(cat "/proc/$daemon_pid/status" 2>/dev/null) || true
# prlimit and setpriv exec into bpfproc, so the spawned pid is the daemon's.
[[ $(awk '/^Uid:/ { print $2 }' <<<"$status") == 65534 ]] || fail "the daemon does not run as nobody"
bounding=$(awk '/^CapBnd:/ { print $2 }' <<<"$status")
[[ $bounding == 000000c000080004 ]] || fail "the daemon's bounding set is $bounding, expected the unit's four (000000c000080004)"
pass "bpfproc serves as nobody with only $caps (CapBnd $bounding) and a 64 KiB RLIMIT_MEMLOCK"
# Memory of a root-owned process: smaps_rollup needs CAP_SYS_PTRACE (PTRACE_MODE_READ).
deadline=$((SECONDS + 40))
until scrape "$BPFPROC_URL/metrics" "$E2E_TMP/unit.prom" &&
  [[ -n $(series_value 'bpfproc_group_memory_bytes{group="burn",kind="pss"}' "$E2E_TMP/unit.prom") ]]; do
  ((SECONDS < deadline)) || fail "no PSS of the root-owned burn (pid $burn_pid) after 40 s: $(grep -c '^bpfproc_group_memory_bytes' "$E2E_TMP/unit.prom") memory series"
  sleep 0.5
done
pass "the memory of a root-owned process is read: $(series_value 'bpfproc_group_memory_bytes{group="burn",kind="pss"}' "$E2E_TMP/unit.prom") bytes of PSS"
stop "$daemon_pid"
[[ $STOPPED_STATUS == 0 ]] || fail "bpfproc exited $STOPPED_STATUS on SIGTERM, expected 0"

# 4. SystemCallFilter: every system call the daemon makes while it starts, serves, reloads and
# stops is one the unit allows (with SystemCallErrorNumber=EPERM any other would fail).
command -v strace >/dev/null || fail "strace is missing (scripts/setup installs it)"
# expand NAME: the system calls of a systemd syscall set (recursively) or the name itself.
expand() {
  if [[ $1 == @* ]]; then
    local entry
    for entry in $(systemd-analyze syscall-filter "$1" | awk 'NR > 1 && $1 !~ /^#/ { print $1 }'); do expand "$entry"; done
  else
    echo "$1"
  fi
}
for entry in $(value SystemCallFilter); do expand "$entry"; done | sort -u >"$E2E_TMP/allowed"
(($(wc -l <"$E2E_TMP/allowed") > 100)) || fail "the unit's SystemCallFilter expands to only $(wc -l <"$E2E_TMP/allowed") calls"
port=$(free_port)
BPFPROC_URL="http://127.0.0.1:$port"
spawn "$E2E_TMP/strace-daemon.log" strace -f -qq -c -o "$E2E_TMP/strace.txt" \
  "$BPFPROC" --config.file="$root/packaging/config.yml" --web.listen-address="127.0.0.1:$port"
strace_pid=$SPAWNED_PID
wait_http "$BPFPROC_URL/metrics" 60 "$strace_pid" "bpfproc under strace ($E2E_TMP/strace-daemon.log)"
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/strace.prom" -H 'Accept-Encoding: gzip'
scrape "$BPFPROC_URL/health" "$E2E_TMP/strace.health"
traced_pid=$(pgrep -P "$strace_pid" | head -n 1)
[[ -n $traced_pid ]] || fail "strace ($strace_pid) has no child"
kill -HUP "$traced_pid"
sleep 1
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/strace.prom"
# SIGTERM to bpfproc itself: strace writes its table when its tracee has exited.
kill -TERM "$traced_pid"
for _ in $(seq 100); do kill -0 "$strace_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$strace_pid" 2>/dev/null && fail "bpfproc under strace did not stop within 10 s of SIGTERM"
wait "$strace_pid" || fail "strace (and bpfproc under it) exited $?"
kept=()
for pid in "${E2E_PIDS[@]}"; do [[ $pid == "$strace_pid" ]] || kept+=("$pid"); done
E2E_PIDS=("${kept[@]}")  # so that cleanup never signals a reused pid
# strace -c's table: the last column of each row is the call's name.
awk '/^-+/ { rows = !rows; next } rows && NF >= 5 { print $NF }' "$E2E_TMP/strace.txt" | sort -u >"$E2E_TMP/used"
(($(wc -l <"$E2E_TMP/used") > 20)) || fail "strace saw only $(wc -l <"$E2E_TMP/used") system calls: $(head -c 300 "$E2E_TMP/strace.txt")"
denied=$(comm -23 "$E2E_TMP/used" "$E2E_TMP/allowed" | paste -sd ' ')
[[ -z $denied ]] || fail "the daemon calls what SystemCallFilter denies: $denied"
pass "the $(wc -l <"$E2E_TMP/used") system calls the daemon made (start, scrape, SIGHUP, SIGTERM) are all in SystemCallFilter"
