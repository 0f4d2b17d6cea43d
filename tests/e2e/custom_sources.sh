#!/usr/bin/env bash
# custom_sources: the config file's sources: section, on the running daemon.
#  (a) one source of each type (command, file, http on a loopback python server, static) and each
#      content type (text, json, xml, prometheus) serves its series with the fixture's values, and
#      each source has collector self-metrics (collector="source.SERVICE.NAME");
#  (b) one read per source per run: two metrics of one URL cost one GET per interval;
#  (c) a command with run_as nobody really runs as nobody (id -un, id -u);
#  (d) a command that hangs is killed, with what it started, at its timeout; its source reports
#      success 0 and counts errors, and the other sources go on;
#  (e) bad input exits 2 with file:line: reason: a bad entry, an interval below its parent's, an
#      unknown content type, an XPath or a JSON Pointer that does not parse, and a config that
#      declares commands but is not root's or is writable by others.
source "$(dirname "$0")/lib.sh"

readonly FIXTURES="$(cd "$(dirname "$0")/../fixtures/sources" && pwd)"
getent passwd nobody >/dev/null || fail "no user nobody on this host"
nobody_uid=$(id -u nobody)

# ---- the loopback HTTP server: status.json and metrics.prom
mkdir "$E2E_TMP/www"
cp "$FIXTURES/status.json" "$E2E_TMP/www/"
# Without the fixture's malformed line, which the unit test counts as an error of the import.
grep -v '^this is not a sample' "$FIXTURES/metrics.prom" >"$E2E_TMP/www/metrics.prom"
http_port=$(free_port)
spawn "$E2E_TMP/http.log" python3 -u -m http.server --bind 127.0.0.1 --directory "$E2E_TMP/www" "$http_port"
http_pid=$SPAWNED_PID
wait_http "http://127.0.0.1:$http_port/status.json" 30 "$http_pid" "python3 -m http.server ($E2E_TMP/http.log)"

cp "$FIXTURES/status.txt" "$E2E_TMP/status.txt"
config="$E2E_TMP/bpfproc.yml"
cat >"$config" <<YAML
process_names:
  - comm: [bash]
sources:
  - service: web
    interval: 2s
    sources:
      - name: status
        type: http
        url: http://127.0.0.1:$http_port/status.json
        content: json
        metrics:
          - name: app_queue_depth
            json_pointer: /queues/0/depth
            labels: {queue: mail}
          - name: app_queue_depth
            json_pointer: /queues/1/depth
            labels: {queue: jobs}
      - name: exporter
        type: http
        url: http://127.0.0.1:$http_port/metrics.prom
        content: prometheus
        prefix: web_
  - service: batch
    sources:
      - name: log
        type: file
        path: $E2E_TMP/status.txt
        content: text
        metrics:
          - name: batch_workers_idle
            pattern: 'idle=(\d+)'
      - name: pool
        type: command
        command: [/bin/cat, $FIXTURES/status.xml]
        content: xml
        metrics:
          - name: batch_pool_jobs
            xpath: count(//job)
      - name: whoami
        type: command
        command: [/bin/sh, -c, 'echo "user=\$(id -un) uid=\$(id -u) groups=\$(id -G)"']
        run_as: {user: nobody}
        content: text
        metrics:
          - name: batch_command_uid
            pattern: 'user=nobody uid=(\d+) groups=\d+\n'  # RE2's $ is the end of the text only
      - name: hang
        type: command
        command: [/bin/sh, -c, 'sleep 300 & echo \$! > $E2E_TMP/hang.pid; wait']
        timeout: 1s
        content: text
        metrics:
          - name: batch_never
            pattern: '(\d+)'
            value_on_error: -1
      - name: facts
        type: static
        metrics:
          - name: batch_slots
            value: 8
YAML
chmod 0644 "$config"

# ---- (a) every type and content type
start_bpfproc --config.file "$config" --collection.interval 1s
wait_series 'batch_command_uid{service="batch"}' "$nobody_uid" 20
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/a.prom"
check() {  # check SERIES VALUE
  local seen
  seen=$(series_value "$1" "$E2E_TMP/a.prom")
  [[ $seen == "$2" ]] || fail "$1 is '${seen:-absent}', expected $2"
}
check 'app_queue_depth{service="web",queue="mail"}' 42
check 'app_queue_depth{service="web",queue="jobs"}' 7
check 'web_app_requests_total{code="500",path="/a"}' 3
check 'web_app_latency_seconds_count' 123
check 'web_app_latency_seconds_bucket{le="+Inf"}' 123
check 'web_app_temperature' 21.5
check 'batch_workers_idle{service="batch"}' 5
check 'batch_pool_jobs{service="batch"}' 3
check 'batch_slots{service="batch"}' 8
grep -qx '# TYPE web_app_latency_seconds histogram' "$E2E_TMP/a.prom" || fail "the imported histogram lost its TYPE"
for source in web.status web.exporter batch.log batch.pool batch.whoami batch.facts; do
  check "bpfproc_exporter_collector_success{collector=\"source.$source\"}" 1
done
# The whole exposition, imported families included, is what Prometheus' linter accepts.
if command -v promtool >/dev/null; then
  lint=$(promtool check metrics <"$E2E_TMP/a.prom" 2>&1) || fail "promtool check metrics: $(head -n 3 <<<"$lint" | tr '\n' ' ')"
  [[ -z $lint ]] || fail "promtool check metrics: $(head -n 3 <<<"$lint" | tr '\n' ' ')"
fi
pass "one source of each type and content type serves its series, with self-metrics"

# ---- (c) run_as nobody: the pattern matches only "user=nobody uid=<nobody's uid>" with its group only
pass "run_as nobody runs as uid $nobody_uid (id -un: nobody), no supplementary groups"

# ---- (d) the hanging command
wait_series 'batch_never{service="batch"}' -1 20  # its value_on_error, once its first run failed
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/a.prom"
check 'bpfproc_exporter_collector_success{collector="source.batch.hang"}' 0
[[ -s $E2E_TMP/hang.pid ]] || fail "the hanging command never started"
hang_pid=$(<"$E2E_TMP/hang.pid")
for _ in $(seq 50); do
  state=$(awk '{print $3}' "/proc/$hang_pid/stat" 2>/dev/null || true)
  [[ -z $state || $state == Z ]] && break
  sleep 0.1
done
[[ -z $state || $state == Z ]] || fail "sleep $hang_pid, started by the hanging command, outlived its timeout"
grep -q 'source batch.hang: .*killed' "$BPFPROC_LOG" || fail "the log does not say the hanging command was killed"
errors=$(series_value 'bpfproc_exporter_collector_errors_total{collector="source.batch.hang"}' "$E2E_TMP/a.prom")
[[ ${errors:-0} -ge 1 ]] || fail "source.batch.hang counted ${errors:-no} errors"
check 'bpfproc_exporter_collector_success{collector="source.batch.log"}' 1
pass "a hanging command is killed with its process group at its 1 s timeout (errors so far: $errors)"

# ---- (b) one GET per run of the two-metric source
before=$(grep -c 'GET /status.json' "$E2E_TMP/http.log")
start=$SECONDS
sleep 6
after=$(grep -c 'GET /status.json' "$E2E_TMP/http.log")
elapsed=$((SECONDS - start))
gets=$((after - before))
# Every 2 s: at most elapsed/2 + 1 GETs (two metrics reading apart would double it).
((gets >= 1 && gets <= elapsed / 2 + 1)) || fail "$gets GETs of status.json in $elapsed s at a 2 s interval"
pass "$gets GETs of status.json in $elapsed s for two metrics (interval 2 s)"
stop "$BPFPROC_PID"

# ---- (e) bad input: exit 2, file:line: reason
bad() {  # bad NAME SOURCE_LINES REGEX: a config with one source made of SOURCE_LINES must be refused
  local file="$E2E_TMP/$1.yml"
  printf 'process_names:\n  - comm: [bash]\nsources:\n  - service: svc\n    sources:\n      - name: s\n%s' "$2" >"$file"
  chmod 0644 "$file"
  expect_exit 2 "^bpfproc: $file:$3" "$BPFPROC" --config.file "$file" --web.listen-address "127.0.0.1:$(free_port)"
}
bad entry '        type: file
' '6: missing content$'
bad content '        type: file
        path: /x
        content: csv
        metrics: [{name: m, pattern: x}]
' '9: unknown content type "csv"'
bad xpath '        type: file
        path: /x
        content: xml
        metrics:
          - name: m
            xpath: "//a[@b"
' '12: invalid XPath "//a\[@b"'
bad pointer '        type: file
        path: /x
        content: json
        metrics:
          - name: m
            json_pointer: "a/b"
' '12: invalid JSON Pointer "a/b"'
bad interval '        type: static
        interval: 1s
        metrics: [{name: m, value: 1}]
' '8: source s: interval 1s is below its service.s \(15000 ms\)'

owned="$E2E_TMP/owned.yml"
cp "$config" "$owned"
chmod 0664 "$owned"
expect_exit 2 "^bpfproc: $owned: declares command sources, so it must not be writable by group or others" \
  "$BPFPROC" --config.file "$owned" --collection.interval 1s --web.listen-address "127.0.0.1:$(free_port)"
chmod 0644 "$owned"
chown nobody "$owned"
expect_exit 2 "^bpfproc: $owned: declares command sources, so it must be owned by root" \
  "$BPFPROC" --config.file "$owned" --collection.interval 1s --web.listen-address "127.0.0.1:$(free_port)"
expect_exit 2 "^bpfproc: $owned: declares command sources, so it must be owned by root" "$BPFPROC" check-config "$owned"
pass "custom sources: all checks passed"
