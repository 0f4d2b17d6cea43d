#!/usr/bin/env bash
# promtool_lint: the exposition a running daemon serves is what Prometheus' own linter accepts.
#
# Scrapes /metrics of a real daemon, once with the default grouping (one group per comm) and once
# with a process-exporter config file, and pipes each through `promtool check metrics`. promtool
# 2.42 prints lint problems (missing HELP, counter without _total, ...) on stderr and exits 3, and
# parse errors with exit 1; any output at all, or any non-zero exit, fails the test. (Label values
# that need escaping or are not UTF-8: hostile_names.sh.) A gzip scrape must really be gzip
# (Content-Encoding and magic bytes) and decompress to the same metric names as the plain one.
source "$(dirname "$0")/lib.sh"

# lint FILE WHAT: fails on any promtool output or non-zero exit.
lint() {
  local output status=0
  output=$(promtool check metrics <"$1" 2>&1) || status=$?
  [[ $status == 0 && -z $output ]] ||
    fail "promtool check metrics ($2) exit $status: $(head -n 3 <<<"$output" | tr '\n' ' ')"
  pass "promtool accepts the exposition ($2, $(grep -vc '^#' "$1") samples)"
}

# metric_names FILE: sorted unique names of the samples in an exposition.
metric_names() { grep -v '^#' "$1" | sed 's/[{ ].*//' | sort -u; }

# 1. Default config. The memory refresher's first pass adds bpfproc_group_memory_bytes; wait for
# it, so that the plain and gzip scrapes below see the same metric names.
start_bpfproc
wait_series 'bpfproc_exporter_collector_duration_seconds_count{collector="memory"}' 1 30
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/default.prom"
lint "$E2E_TMP/default.prom" "default config"

# 2. Gzip: the header says gzip, the body is gzip, and it holds the same metric names.
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/gzip.body" -H 'Accept-Encoding: gzip' -D "$E2E_TMP/gzip.headers"
grep -qi '^Content-Encoding: *gzip' "$E2E_TMP/gzip.headers" ||
  fail "Accept-Encoding: gzip answered without Content-Encoding: gzip"
[[ $(head -c 2 "$E2E_TMP/gzip.body" | od -An -tx1 | tr -d ' ') == 1f8b ]] ||
  fail "gzip scrape body does not start with the gzip magic bytes"
gzip -dc <"$E2E_TMP/gzip.body" >"$E2E_TMP/gzip.prom" || fail "gzip scrape body does not decompress"
diff <(metric_names "$E2E_TMP/default.prom") <(metric_names "$E2E_TMP/gzip.prom") >"$E2E_TMP/names.diff" ||
  fail "gzip and plain scrapes expose different metric names: $(tr '\n' ' ' <"$E2E_TMP/names.diff")"
lint "$E2E_TMP/gzip.prom" "gzip scrape"
pass "gzip scrape is gzip and has the same $(metric_names "$E2E_TMP/gzip.prom" | wc -l) metric names"

# 3. A process-exporter style config file: fixed names, comm/exe/cmdline rules, template captures.
stop "$BPFPROC_PID"
[[ $STOPPED_STATUS == 0 ]] || fail "bpfproc exited $STOPPED_STATUS on SIGTERM, expected 0"
cat >"$E2E_TMP/config.yml" <<'EOF'
process_names:
  - name: burn
    comm: [burn]
  - name: "shell:{{.Matches.Prog}}"
    cmdline: ['^(?P<Prog>\S*sh)\b']
  - name: "{{.Comm}}:{{.ExeBase}}:{{.Username}}"
    cmdline: ['.+']
EOF
start_bpfproc --config.file "$E2E_TMP/config.yml"
spawn "$E2E_TMP/burn.log" "$BPFPROC_TOOLS/burn" 0
wait_series 'bpfproc_group_processes{group="burn"}' 1 10
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/config.prom"
lint "$E2E_TMP/config.prom" "config file"
