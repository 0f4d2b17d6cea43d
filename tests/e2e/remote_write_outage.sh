#!/usr/bin/env bash
# remote_write_outage: the receiver (Debian's Prometheus) is stopped for 60 s and started again
# on the same storage. bpfproc, pushing every second, queues the outage's pushes, retries with
# backoff, and sends them in order once the receiver is back: afterwards Prometheus holds a sample
# of every push of the outage (no gap longer than the push interval plus one collection), the
# queue is empty again and nothing was dropped. Scrapes keep working during the outage. The
# receiver is set in the config file (remote_write: section), not by flags.
# Prints the samples sent, retried and dropped.
source "$(dirname "$0")/lib.sh"

PROM_PORT=$(free_port)
PROMETHEUS_URL="http://127.0.0.1:$PROM_PORT"
URL="$PROMETHEUS_URL/api/v1/write"
echo 'global: {}' >"$E2E_TMP/prometheus.yml"
start_receiver() {
  spawn "$E2E_TMP/prometheus-$1.log" "${E2E_OTHER_CPUS[@]}" prometheus --config.file "$E2E_TMP/prometheus.yml" \
    --storage.tsdb.path "$E2E_TMP/tsdb" --web.listen-address "127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver
  PROMETHEUS_PID=$SPAWNED_PID
  wait_http "$PROMETHEUS_URL/-/ready" 60 "$PROMETHEUS_PID" "prometheus ($E2E_TMP/prometheus-$1.log)"
}
start_receiver before

# The receiver, the interval and the label come from the config file's remote_write: section.
cat >"$E2E_TMP/bpfproc.yml" <<YAML
process_names: [{name: "{{.Comm}}", cmdline: [".+"]}]
remote_write:
  url: $URL
  interval: 1s
  external_labels: {e2e: outage}
YAML
start_bpfproc --collection.interval 1s --config.file "$E2E_TMP/bpfproc.yml"
series='bpfproc_exporter_tracked_processes{e2e="outage"}'
# 8 of the last 10 s: enough pushes before the outage to see where it starts.
deadline=$((SECONDS + 40))
until [[ $(prom_query "count_over_time($series[10s])") =~ ^[0-9]+$ && $(prom_query "count_over_time($series[10s])") -ge 8 ]]; do
  ((SECONDS < deadline)) || fail "not 8 pushed samples in 10 s in Prometheus after 40 s"
  sleep 0.5
done
pass "pushes arrive in Prometheus"

outage_start=$(date +%s.%N)
stop "$PROMETHEUS_PID"
sleep 30
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/during.prom"  # a receiver that is down never blocks a scrape
queued=$(series_value "bpfproc_remote_write_queue_samples{url=\"$URL\"}" "$E2E_TMP/during.prom")
((queued > 0)) || fail "30 s into the outage the queue holds $queued samples"
pass "30 s into the outage, /metrics answers and the queue holds $queued samples"
sleep 30
outage_end=$(date +%s.%N)
start_receiver after

# The sender retries with backoff (30 s at most between tries), then sends the queue in order.
deadline=$((SECONDS + 90))
while :; do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/after.prom"
  queued=$(series_value "bpfproc_remote_write_queue_samples{url=\"$URL\"}" "$E2E_TMP/after.prom")
  [[ $queued == 0 ]] && break
  ((SECONDS < deadline)) || fail "the queue still holds $queued samples 90 s after the receiver came back"
  sleep 1
done
caught_up=$(date +%s.%N)
result() { series_value "bpfproc_remote_write_samples_total{result=\"$1\",url=\"$URL\"}" "$E2E_TMP/after.prom"; }
echo "measured: samples sent $(result sent), retried $(result retried), dropped $(result dropped), failed $(result failed)" \
  "(60 s outage, 1 s pushes); queue empty $(python3 -c "print(round($caught_up - $outage_end, 1))") s after the restart"
[[ $(result dropped) == 0 && $(result failed) == 0 ]] || fail "samples dropped $(result dropped), failed $(result failed)"

# Every push of the outage is in Prometheus: the raw samples from 10 s before it to its end.
window=$(python3 -c "import math; print(math.ceil($caught_up - $outage_start) + 15)")
curl -s --max-time 10 -G "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$series[${window}s]" \
  --data-urlencode "time=$caught_up" -o "$E2E_TMP/raw.json" || fail "Prometheus query failed"
read -r samples max_gap covered <<<"$(python3 -c '
import json, sys
start, end = float(sys.argv[2]), float(sys.argv[3])
result = json.load(open(sys.argv[1]))["data"]["result"]
times = [float(t) for t, _ in result[0]["values"]] if len(result) == 1 else []
inside = [t for t in times if start - 10 <= t <= end]
gaps = [b - a for a, b in zip(inside, inside[1:])]
print(len(inside), round(max(gaps), 2) if gaps else "none", int(bool(inside) and inside[0] <= start - 5 and inside[-1] >= end - 3))
' "$E2E_TMP/raw.json" "$outage_start" "$outage_end")"
echo "measured: $samples samples from 10 s before the outage to its end, largest gap ${max_gap} s"
[[ $covered == 1 ]] || fail "the samples do not cover the outage ($samples samples)"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 2.5 else 1)" "$max_gap" 2>/dev/null ||
  fail "largest gap between pushed samples across the outage is $max_gap s, expected at most 2.5 s (1 s pushes)"
pass "Prometheus has every push of the 60 s outage ($samples samples, largest gap $max_gap s); queue empty"
