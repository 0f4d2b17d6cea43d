#!/usr/bin/env bash
# daemon_behaviour: what an operator sees when starting, probing and stopping the daemon.
#
#  (a) each kind of invalid config (YAML syntax, unknown key, bad regex, unknown template field)
#      exits 2 with exactly one stderr line "bpfproc: FILE:LINE: reason", LINE being the culprit;
#  (b) a listen address that is taken exits 1 with one line naming it and "Address already in use";
#      an invalid one, or another bad flag value, exits 2; no BPF privileges exits 1 with one line
#      naming them;
#  (c) /health is JSON with bpf_attached and collectors.tasks.success true;
#  (d) / is an HTML page linking the telemetry path; (e) an unknown path is a 404;
#  (f) `bpfproc once` prints an exposition with bpfproc_group_cpu_seconds_total and exits 0;
#  (g) --web.telemetry-path moves the metrics; (h) SIGTERM stops the daemon with exit 0 within
#      10 s (a hang check, not a timing claim); (i) --version prints the version.
source "$(dirname "$0")/lib.sh"

# expect_start_failure CODE REGEX ARGS...: bpfproc ARGS must exit CODE (within 30 s) with exactly
# one stderr line matching the extended REGEX.
expect_start_failure() { expect_exit "$1" "$2" "$BPFPROC" "${@:3}"; }

# (a) Invalid configs: FILE CONTENTS LINE REASON-REGEX. The port is free but must never be used.
port=$(free_port)
bad_config() {
  local file="$E2E_TMP/$1.yml"
  printf '%s' "$2" >"$file"
  expect_start_failure 2 "^bpfproc: $file:$3: .*$4" --config.file "$file" --web.listen-address "127.0.0.1:$port"
}
bad_config syntax $'# flow sequence closed twice\nprocess_names:\n  - name: burn\n    comm: [burn]]\n' 4 'flow'
bad_config bad_regex $'process_names:\n  - name: burn\n    cmdline:\n      - ok\n      - "(unclosed"\n' 5 'regex'
bad_config bad_template $'process_names:\n  - comm: [burn]\n    name: "{{.Comm}}-{{.Nope}}"\n' 3 'unknown template field'

# Keys bpfproc does not know are ignored with a warning, as process-exporter ignores them, and
# check-config makes them fatal, for pipelines that want that.
printf 'process_names:\n  - name: burn\n    comm: [burn]\n    bogus: 1\n' >"$E2E_TMP/unknown_key.yml"
expect_start_failure 2 "^bpfproc: $E2E_TMP/unknown_key\.yml:4: unknown key \"bogus\" ignored" \
  check-config "$E2E_TMP/unknown_key.yml"
output=$("$BPFPROC" check-config "$E2E_TMP/syntax.yml" 2>&1) && fail "check-config accepted a broken file"
[[ $output == "bpfproc: $E2E_TMP/syntax.yml:4: "* ]] || fail "check-config of a broken file said '$output'"
printf 'process_names:\n  - name: burn\n    comm: [burn]\n' >"$E2E_TMP/clean.yml"
output=$("$BPFPROC" check-config "$E2E_TMP/clean.yml" 2>&1) || fail "check-config refused a clean file: $output"
[[ $output == "$E2E_TMP/clean.yml: ok, grouping config: 1 rules" ]] || fail "check-config of a clean file said '$output'"
pass "check-config: exit 2 on an unknown key or an error, 0 on a clean file"
status=0
timeout 60 "$BPFPROC" --config.file "$E2E_TMP/unknown_key.yml" once >/dev/null 2>"$E2E_TMP/once_unknown.stderr" || status=$?
((status == 0)) || fail "bpfproc once with an unknown config key exited $status"
grep -q 'unknown key "bogus" ignored' "$E2E_TMP/once_unknown.stderr" || fail "no warning for the unknown key"
pass "an unknown config key is a warning: the daemon runs"

# (b) Address already in use: something else listens on the port first.
port=$(free_port)
spawn "$E2E_TMP/http.server.log" python3 -m http.server --bind 127.0.0.1 "$port"
wait_http "http://127.0.0.1:$port/" 30 "$SPAWNED_PID" "python3 -m http.server"
expect_start_failure 1 "127\.0\.0\.1:$port.*Address already in use" --web.listen-address "127.0.0.1:$port"

# A listen address that cannot be valid is bad input too: exit 2, before any BPF is loaded.
expect_start_failure 2 'web\.listen-address 127\.0\.0\.1:70000: invalid port' --web.listen-address 127.0.0.1:70000
# A metrics path a client cannot ask for, or one the server answers itself, and a procfs that is
# not one (an exporter that runs and exports nothing): exit 2, one line.
expect_start_failure 2 'telemetry-path metrics: must start with /' --web.telemetry-path metrics
expect_start_failure 2 'telemetry-path /health: /health is the server' --web.telemetry-path /health
expect_start_failure 2 'telemetry-path /: / is the server' --web.telemetry-path /
expect_start_failure 2 "path\.procfs $E2E_TMP: not a procfs" --path.procfs "$E2E_TMP"
expect_start_failure 2 'label\.max-length 8: must be at least 16 bytes' --label.max-length 8
# Run-queue histogram buckets: each bad list is one line naming the flag, the bound and the reason.
expect_start_failure 2 '^bpfproc: --runqueue-latency\.buckets 0\.1,0\.01: bound 2 0\.01: bounds must increase$' \
  --runqueue-latency.buckets 0.1,0.01
expect_start_failure 2 '^bpfproc: --runqueue-latency\.buckets 0\.001,1ms: bound 2 "1ms" is not a number of seconds$' \
  --collector.runqueue-latency --runqueue-latency.buckets 0.001,1ms
expect_start_failure 2 '^bpfproc: --runqueue-latency\.buckets 10: bound 1 10: above 4\.294967296 s' \
  --runqueue-latency.buckets 10
expect_start_failure 2 '^bpfproc: --runqueue-latency\.buckets "": no bound given' --runqueue-latency.buckets ''
# process-exporter's flags, as its users will type them: one line saying where the setting went.
expect_start_failure 2 '^bpfproc: -config\.path is a process-exporter flag: use --config\.file' -config.path x.yml
expect_start_failure 2 '^bpfproc: -web\.listen-address is a process-exporter flag: use --web\.listen-address' \
  -web.listen-address :9256

# Without the privileges BPF needs (run as nobody): one line naming them, exit 1, never a crash.
status=0
setpriv --reuid=nobody --regid=nogroup --clear-groups "$BPFPROC" --web.listen-address "127.0.0.1:$port" \
  >"$E2E_TMP/stdout" 2>"$E2E_TMP/stderr" || status=$?
mapfile -t stderr_lines <"$E2E_TMP/stderr"
[[ $status == 1 && ${#stderr_lines[@]} == 1 && ${stderr_lines[0]} == "bpfproc: missing: privileges"* ]] ||
  fail "as nobody: exit $status, stderr: ${stderr_lines[*]}"
pass "exit 1 without privileges: ${stderr_lines[0]}"

start_bpfproc
scrape "$BPFPROC_URL/health" "$E2E_TMP/health.json" -D "$E2E_TMP/health.headers"
grep -qi '^Content-Type: *application/json' "$E2E_TMP/health.headers" || fail "/health is not served as application/json"
health=$(json_eval '[d["bpf_attached"], d["collectors"]["tasks"]["success"]]' <"$E2E_TMP/health.json") ||
  fail "/health is not the expected JSON: $(head -c 300 "$E2E_TMP/health.json")"
[[ $health == '[true, true]' ]] || fail "/health [bpf_attached, collectors.tasks.success] = $health, expected [true, true]"
pass "/health: bpf_attached and collectors.tasks.success are true"

# (d) Landing page.
scrape "$BPFPROC_URL/" "$E2E_TMP/index.html" -D "$E2E_TMP/index.headers"
grep -qi '^Content-Type: *text/html' "$E2E_TMP/index.headers" || fail "/ is not served as text/html"
grep -q '<a href="/metrics">' "$E2E_TMP/index.html" || fail "/ does not link /metrics"
pass "/ is HTML that links /metrics"

# (e) Unknown path.
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BPFPROC_URL/no-such-page")
[[ $code == 404 ]] || fail "GET /no-such-page answered $code, expected 404"
pass "unknown path: 404"

# (h) SIGTERM: exit 0, promptly.
stop "$BPFPROC_PID"
[[ $STOPPED_STATUS == 0 ]] || fail "bpfproc exited $STOPPED_STATUS on SIGTERM, expected 0"
pass "SIGTERM: exit 0"

# (g) Custom telemetry path: metrics there, not at /metrics, and the landing page follows.
start_bpfproc --web.telemetry-path /custom
scrape "$BPFPROC_URL/custom" "$E2E_TMP/custom.prom"
grep -q '^bpfproc_group_cpu_seconds_total{' "$E2E_TMP/custom.prom" || fail "/custom has no bpfproc_group_cpu_seconds_total"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BPFPROC_URL/metrics")
[[ $code == 404 ]] || fail "with --web.telemetry-path /custom, /metrics answered $code, expected 404"
scrape "$BPFPROC_URL/" "$E2E_TMP/custom-index.html"
grep -q '<a href="/custom">' "$E2E_TMP/custom-index.html" || fail "/ does not link /custom"
pass "--web.telemetry-path /custom serves the metrics at /custom only"

# (f) once.
status=0
timeout 60 "$BPFPROC" once >"$E2E_TMP/once.prom" 2>"$E2E_TMP/once.stderr" || status=$?
[[ $status == 0 ]] || fail "bpfproc once exited $status: $(head -n 1 "$E2E_TMP/once.stderr")"
grep -q '^# TYPE bpfproc_group_cpu_seconds_total counter$' "$E2E_TMP/once.prom" &&
  grep -Eq '^bpfproc_group_cpu_seconds_total\{.*group="bpfproc".*\} [0-9.e+-]+$' "$E2E_TMP/once.prom" ||
  fail "bpfproc once printed no bpfproc_group_cpu_seconds_total counter with a sample for itself"
pass "once: exposition with bpfproc_group_cpu_seconds_total, exit 0"

# (i) --version.
version=$("$BPFPROC" --version) || fail "bpfproc --version exited $?"
[[ $version =~ ^bpfproc\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "bpfproc --version printed '$version'"
pass "--version: $version"
