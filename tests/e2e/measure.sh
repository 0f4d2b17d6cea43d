#!/usr/bin/env bash
# measure: `bpfproc measure -- CMD` against the real binary and the real kernel.
#
#  (a) accuracy: 200 burns of 5 ms under sh, wrapped in tools/cputime (getrusage SELF + CHILDREN
#      of the whole tree, the kernel's own total): cpu_seconds within 1%, printed as `measured:`;
#  (b) exit codes: CMD's own (7), 128 + N when signal N kills it, 126/127 with one stderr line
#      when it cannot be run, 2 without a command, 1 without privileges (CMD not run);
#  (c) CMD's stdout and stderr pass through untouched; with --json the JSON follows on stdout and
#      parses; without it stdout is CMD's alone and the report is on stderr;
#  (d) counts: churn's 50 short-lived children give exactly 51 processes; burn -t 4 gives 5 threads;
#  (e) a descendant that outlives CMD is in still_running, with its CPU so far in cpu_seconds;
#  (f) peak memory: a command holding 64 MiB shows at least that much RSS and USS;
#  (g) SIGTERM to bpfproc reaches CMD, and bpfproc exits as CMD did (143).
# Nothing here asserts how long anything takes.
source "$(dirname "$0")/lib.sh"

burn="$BPFPROC_TOOLS/burn"

# measure_json NAME ARGS...: runs `bpfproc measure --json ARGS...`, stdout to $E2E_TMP/NAME.out and
# stderr to NAME.err; sets MEASURE_STATUS. Fails if bpfproc hangs (5 min: a hang check only).
measure_json() {
  local name=$1
  shift
  MEASURE_STATUS=0
  timeout 300 "$BPFPROC" measure --json "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" || MEASURE_STATUS=$?
  [[ $MEASURE_STATUS != 124 ]] || fail "bpfproc measure $* did not finish"
}

# field NAME EXPR: EXPR (Python, d = the JSON) of the report in $E2E_TMP/NAME.out, which must end in
# the JSON document.
field() {
  python3 - "$E2E_TMP/$1.out" "$2" <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
start = text.find("\n{") + 1 if not text.startswith("{") else 0
d = json.loads(text[start:])
print(json.dumps(eval(sys.argv[2])))
EOF
}

# (a) Accuracy against the kernel's own total for the tree.
measure_json accuracy -- "$BPFPROC_TOOLS/cputime" sh -c "for i in \$(seq 200); do '$burn' 5; done"
[[ $MEASURE_STATUS == 0 ]] || fail "accuracy run exited $MEASURE_STATUS: $(cat "$E2E_TMP/accuracy.err")"
truth_ns=$(awk '$1 == "cputime_ns" { print $2 }' "$E2E_TMP/accuracy.err")
[[ -n $truth_ns ]] || fail "cputime printed no cputime_ns line: $(cat "$E2E_TMP/accuracy.err")"
cpu_seconds=$(field accuracy 'd["cpu_seconds"]')
split=$(field accuracy 'abs(d["user_seconds"] + d["system_seconds"] - d["cpu_seconds"]) < 1e-6')
lost=$(field accuracy 'd["events_lost"]')
read -r error_percent within <<<"$(python3 -c "
m, t = $cpu_seconds * 1e9, $truth_ns
e = 100 * (m - t) / t
print('%+.4f' % e, 'yes' if abs(e) < 1 else 'no')")"
echo "measured: bpfproc measure, 200 burns of 5 ms: cpu_seconds $cpu_seconds, getrusage SELF + CHILDREN $(python3 -c "print($truth_ns / 1e9)"), error ${error_percent}%"
[[ $within == yes ]] || fail "cpu_seconds $cpu_seconds is ${error_percent}% off the kernel's $truth_ns ns (events lost: $lost)"
[[ $split == true ]] || fail "user_seconds + system_seconds != cpu_seconds"
pass "CPU of 200 short-lived burns within 1% of getrusage (${error_percent}%)"

# (b) Exit codes.
measure_json exit7 -- sh -c 'exit 7'
[[ $MEASURE_STATUS == 7 && $(field exit7 'd["exit_code"]') == 7 ]] || fail "sh -c 'exit 7': exit $MEASURE_STATUS"
pass "exit code 7 passes through"

measure_json killed -- sh -c 'kill -KILL $$'
[[ $MEASURE_STATUS == 137 ]] || fail "a command killed by SIGKILL: exit $MEASURE_STATUS, expected 137"
[[ $(field killed '[d["exit_code"], d["signal"]]') == '[137, 9]' ]] || fail "killed: JSON says $(field killed '[d["exit_code"], d["signal"]]')"
pass "killed by signal 9: exit 137, signal 9 in the JSON"

# expect_one_line NAME CODE REGEX: the run NAME exited CODE with one stderr line matching REGEX and
# nothing on stdout.
expect_one_line() {
  local name=$1 code=$2 regex=$3 lines
  mapfile -t lines <"$E2E_TMP/$name.err"
  [[ $MEASURE_STATUS == "$code" ]] || fail "$name: exit $MEASURE_STATUS, expected $code; stderr: ${lines[*]}"
  [[ ${#lines[@]} == 1 && ${lines[0]} =~ $regex ]] || fail "$name: stderr '${lines[*]}', expected one line /$regex/"
  [[ ! -s $E2E_TMP/$name.out ]] || fail "$name: wrote to stdout: $(head -c 200 "$E2E_TMP/$name.out")"
  pass "$name: exit $code: ${lines[0]}"
}
measure_json not_found -- "$E2E_TMP/no-such-command" arg
expect_one_line not_found 127 "^bpfproc: cannot run $E2E_TMP/no-such-command: No such file or directory$"
printf 'not a program\n' >"$E2E_TMP/not-executable"
measure_json not_executable -- "$E2E_TMP/not-executable"
expect_one_line not_executable 126 '^bpfproc: cannot run .*/not-executable: Permission denied$'
measure_json no_command
expect_one_line no_command 2 '^bpfproc: measure: no command given'

MEASURE_STATUS=0
setpriv --reuid=nobody --regid=nogroup --clear-groups "$BPFPROC" measure -- touch "$E2E_TMP/ran" \
  >"$E2E_TMP/unprivileged.out" 2>"$E2E_TMP/unprivileged.err" || MEASURE_STATUS=$?
expect_one_line unprivileged 1 '^bpfproc: missing: privileges'
[[ ! -e $E2E_TMP/ran ]] || fail "without privileges, the command ran anyway"

# (c) Pass-through. Bytes that a re-encoding would change: no trailing newline inside, a tab, UTF-8.
cmd_script=$'printf "out 1\\n\\tout 2 \\303\\251\\n"; printf "err 1\\nerr 2\\n" >&2'
measure_json passthrough -- sh -c "$cmd_script"
printf 'out 1\n\tout 2 \303\251\n' >"$E2E_TMP/expected.out"
head -c "$(stat -c %s "$E2E_TMP/expected.out")" "$E2E_TMP/passthrough.out" | cmp -s - "$E2E_TMP/expected.out" ||
  fail "stdout does not start with CMD's output: $(head -c 200 "$E2E_TMP/passthrough.out" | od -c | head -n 3)"
printf 'err 1\nerr 2\n' | cmp -s - "$E2E_TMP/passthrough.err" || fail "stderr is not CMD's: $(cat "$E2E_TMP/passthrough.err")"
tail -c +"$(($(stat -c %s "$E2E_TMP/expected.out") + 1))" "$E2E_TMP/passthrough.out" >"$E2E_TMP/report.json"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$E2E_TMP/report.json" ||
  fail "what follows CMD's stdout is not one JSON document: $(head -c 300 "$E2E_TMP/report.json")"
pass "--json: CMD's stdout and stderr untouched, then the JSON document, which parses"

status=0
"$BPFPROC" measure -- sh -c "$cmd_script" >"$E2E_TMP/plain.out" 2>"$E2E_TMP/plain.err" || status=$?
[[ $status == 0 ]] || fail "plain report run exited $status"
cmp -s "$E2E_TMP/plain.out" "$E2E_TMP/expected.out" || fail "without --json, stdout is not CMD's alone"
head -n 2 "$E2E_TMP/plain.err" | cmp -s - <(printf 'err 1\nerr 2\n') || fail "CMD's stderr does not come first"
grep -q '^bpfproc measure: sh -c ' "$E2E_TMP/plain.err" && grep -q '^  CPU time  ' "$E2E_TMP/plain.err" ||
  fail "no readable report on stderr: $(cat "$E2E_TMP/plain.err")"
pass "without --json: stdout is CMD's alone, the report is on stderr"

# (d) Exact counts.
measure_json churn -- "$BPFPROC_TOOLS/churn" 50 1 "$burn"
[[ $MEASURE_STATUS == 0 ]] || fail "churn exited $MEASURE_STATUS"
[[ $(field churn '[d["processes"], d["threads"], d["still_running"]]') == '[51, 51, 0]' ]] ||
  fail "churn 50: [processes, threads, still_running] = $(field churn '[d["processes"], d["threads"], d["still_running"]]'), expected [51, 51, 0]"
pass "churn and its 50 short-lived children: 51 processes, 51 threads"

measure_json threads -- "$burn" -t 4 50
[[ $(field threads '[d["processes"], d["threads"]]') == '[1, 5]' ]] ||
  fail "burn -t 4: [processes, threads] = $(field threads '[d["processes"], d["threads"]]'), expected [1, 5]"
[[ $(field threads 'd["cpu_seconds"] >= 0.2') == true ]] || fail "burn -t 4 50 used less than 4 x 50 ms: $(field threads 'd["cpu_seconds"]')"
pass "burn -t 4: 1 process, 5 threads"

# (e) A descendant that outlives CMD: burn 200 ms, report its CPU, then wait for stdin to close.
# The test holds the fifo's only writer (fd 3, closed for bpfproc and CMD), so burn waits for us.
mkfifo "$E2E_TMP/hold"
exec 3<>"$E2E_TMP/hold"
measure_json outlive -- sh -c "'$burn' -r -p 200 <'$E2E_TMP/hold' >'$E2E_TMP/outlive.cpu' & echo \$! >'$E2E_TMP/outlive.pid'
  until [ -s '$E2E_TMP/outlive.cpu' ]; do sleep 0.01; done" 3>&-
outlive_pid=$(cat "$E2E_TMP/outlive.pid")
E2E_PIDS+=("$outlive_pid")  # killed by the cleanup if the test fails before releasing it
kill -0 "$outlive_pid" 2>/dev/null || fail "the outliving burn is gone already"
burn_cpu_ns=$(cat "$E2E_TMP/outlive.cpu")
[[ $(field outlive 'd["still_running"]') == 1 ]] || fail "still_running = $(field outlive 'd["still_running"]'), expected 1"
[[ $(field outlive "d['cpu_seconds'] * 1e9 >= $burn_cpu_ns") == true ]] ||
  fail "cpu_seconds $(field outlive 'd["cpu_seconds"]') leaves out the outliving burn's $burn_cpu_ns ns"
exec 3>&-  # burn sees end of file and exits
for _ in $(seq 100); do kill -0 "$outlive_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$outlive_pid" 2>/dev/null && fail "burn $outlive_pid did not exit when its stdin closed"
E2E_PIDS=("${E2E_PIDS[@]:0:${#E2E_PIDS[@]}-1}")  # gone: the cleanup must not signal its pid's next owner
pass "a descendant that outlives CMD: still_running 1, its $((burn_cpu_ns / 1000000)) ms of CPU included"

# (f) Peak memory: 64 MiB written, so resident and private, held for a second of samples.
measure_json memory --interval 20ms -- python3 -c 'import time; b = bytearray(b"x" * (64 << 20)); time.sleep(1)'
[[ $(field memory '[d["peak_rss_bytes"] >= 64 << 20, d["peak_uss_bytes"] >= 64 << 20, d["peak_pss_bytes"] >= 64 << 20]') == '[true, true, true]' ]] ||
  fail "peak memory of a 64 MiB command: $(field memory '[d["peak_rss_bytes"], d["peak_pss_bytes"], d["peak_uss_bytes"], d["memory_samples"]]')"
pass "peak memory: RSS, PSS and USS each at least 64 MiB"

# (g) SIGTERM to bpfproc is passed on to CMD; bpfproc then exits as CMD did.
spawn "$E2E_TMP/term.log" "$BPFPROC" measure --json -- sh -c "echo started >'$E2E_TMP/term.started'; exec sleep 300"
term_pid=$SPAWNED_PID
for _ in $(seq 300); do [[ -s $E2E_TMP/term.started ]] && break; sleep 0.1; done
[[ -s $E2E_TMP/term.started ]] || fail "the command under bpfproc measure never started"
stop "$term_pid"
[[ $STOPPED_STATUS == 143 ]] || fail "after SIGTERM, bpfproc measure exited $STOPPED_STATUS, expected 143 (sleep killed by SIGTERM)"
grep -q '"signal": 15' "$E2E_TMP/term.log" || fail "the report does not say signal 15: $(cat "$E2E_TMP/term.log")"
pass "SIGTERM reaches CMD: exit 143"
