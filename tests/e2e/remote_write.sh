#!/usr/bin/env bash
# remote_write: bpfproc pushes to four receivers at once, each with its own queue: Debian's
# Prometheus (--web.enable-remote-write-receiver) and VictoriaMetrics, and two scripted receivers
# (remote_write_receiver.py) that answer 400 and 503. Checks:
# - a receiver URL that is not http(s), or an unknown key in the config file's remote_write:
#   section, is bad input: exit 2, one line;
# - Prometheus computes the burn group's CPU rate (0.9..1.1 of one CPU) from pushed samples alone,
#   and with burn stopped, the pushed CPU counter equals what /metrics serves, in Prometheus and in
#   VictoriaMetrics; the host identity is the instance label;
# - the protocol's headers, the extra header and the bearer token reach the receiver;
# - 400 is never retried (one request per push, each a new body) and counted as failed; 503 is
#   retried with the same body until the receiver takes it, then the queue empties;
# - bpfproc_exporter_scrapes_total counts HTTP scrapes only, and pushing adds no collections;
# - a receiver that accepts and never answers holds neither the other receivers nor shutdown.
source "$(dirname "$0")/lib.sh"

expect_exit 2 '^bpfproc: --remote-write.url ftp://127.0.0.1/write: must be an http:// or https:// URL$' \
  "$BPFPROC" --web.listen-address "127.0.0.1:$(free_port)" --remote-write.url ftp://127.0.0.1/write
printf 'process_names: [{name: x, comm: [x]}]\nremote_write:\n  urll: http://127.0.0.1/write\n' >"$E2E_TMP/bad.yml"
expect_exit 2 '^bpfproc: .*/bad.yml:3: unknown key "urll" in remote_write$' \
  "$BPFPROC" --web.listen-address "127.0.0.1:$(free_port)" --config.file "$E2E_TMP/bad.yml"

burn_comm
echo "process_names: [{name: burn, comm: [$BURN_COMM]}]" >"$E2E_TMP/bpfproc.yml"
PROM_PORT=$(free_port)
VM_PORT=$(free_port)
BAD_PORT=$(free_port)
BUSY_PORT=$(free_port)
TLS_PORT=$(free_port)
HANG_PORT=$(free_port)
PROMETHEUS_URL="http://127.0.0.1:$PROM_PORT"
VM_URL="http://127.0.0.1:$VM_PORT"

echo 'global: {}' >"$E2E_TMP/prometheus.yml"  # a receiver only: it scrapes nothing
spawn "$E2E_TMP/prometheus.log" "${E2E_OTHER_CPUS[@]}" prometheus --config.file "$E2E_TMP/prometheus.yml" \
  --storage.tsdb.path "$E2E_TMP/tsdb" --web.listen-address "127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver
PROMETHEUS_PID=$SPAWNED_PID
spawn "$E2E_TMP/victoria-metrics.log" "${E2E_OTHER_CPUS[@]}" victoria-metrics -httpListenAddr "127.0.0.1:$VM_PORT" \
  -storageDataPath "$E2E_TMP/vm" -retentionPeriod 1d
VM_PID=$SPAWNED_PID
receiver=$(dirname "$0")/remote_write_receiver.py
spawn "$E2E_TMP/bad.log" python3 "$receiver" --port "$BAD_PORT" --status 400 --log "$E2E_TMP/bad.jsonl"
BAD_PID=$SPAWNED_PID
spawn "$E2E_TMP/busy.log" python3 "$receiver" --port "$BUSY_PORT" --status 503 --ok-after 4 --log "$E2E_TMP/busy.jsonl"
BUSY_PID=$SPAWNED_PID
# A receiver that accepts connections and never answers: its queue waits, the others do not.
spawn "$E2E_TMP/hang.log" python3 -c '
import socket, sys
server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
held = []
while True:
    held.append(server.accept()[0])' "$HANG_PORT"
make_ca "$E2E_TMP"
make_cert "$E2E_TMP" receiver 127.0.0.1 ca
make_cert "$E2E_TMP" client bpfproc-client ca
spawn "$E2E_TMP/tls.log" python3 "$receiver" --port "$TLS_PORT" --status 204 --log "$E2E_TMP/tls.jsonl" \
  --tls "$E2E_TMP/receiver.pem" "$E2E_TMP/receiver.key" "$E2E_TMP/ca.pem"
wait_http "$PROMETHEUS_URL/-/ready" 60 "$PROMETHEUS_PID" "prometheus ($E2E_TMP/prometheus.log)"
wait_http "$VM_URL/health" 60 "$VM_PID" "victoria-metrics ($E2E_TMP/victoria-metrics.log)"
for _ in $(seq 50); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$BAD_PORT/" || true) == 400 ]] && break
  sleep 0.1
done
rm -f "$E2E_TMP/bad.jsonl"  # the probe above
kill -0 "$BUSY_PID" || fail "the 503 receiver did not start"

echo "e2e-token" >"$E2E_TMP/token"
start_bpfproc --config.file "$E2E_TMP/bpfproc.yml" --collection.interval 1s --remote-write.interval 1s \
  --remote-write.url "$PROMETHEUS_URL/api/v1/write" --remote-write.url "$VM_URL/api/v1/write" \
  --remote-write.url "http://127.0.0.1:$BAD_PORT/api/v1/write" --remote-write.url "http://127.0.0.1:$BUSY_PORT/write" \
  --remote-write.url "https://127.0.0.1:$TLS_PORT/api/v1/write" --remote-write.tls.ca-file "$E2E_TMP/ca.pem" \
  --remote-write.tls.cert-file "$E2E_TMP/client.pem" --remote-write.tls.key-file "$E2E_TMP/client.key" \
  --remote-write.url "http://127.0.0.1:$HANG_PORT/api/v1/write" --remote-write.timeout 5m \
  --remote-write.header "X-Scope-OrgID: e2e-tenant" --remote-write.bearer-token-file "$E2E_TMP/token" \
  --label e2e=remote_write
start_burn burn

# prom_query_at PROMQL TIME: prom_query evaluated at TIME (seconds since the epoch).
prom_query_at() {
  curl -s --max-time 10 -G "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$1" --data-urlencode "time=$2" \
    -o "$E2E_TMP/query.json" || fail "Prometheus query failed (curl): $1"
  json_eval '(d["data"]["result"][0]["value"][1] if len(d["data"]["result"]) == 1 else "none")' <"$E2E_TMP/query.json" |
    tr -d '"'
}

# The host identity: the first readable, real one of product_uuid, machine-id, boot id.
identity=$(python3 - <<'PY'
import socket
for path in ("/sys/class/dmi/id/product_uuid", "/etc/machine-id", "/proc/sys/kernel/random/boot_id"):
    try:
        value = open(path).readline().strip()
    except OSError:
        continue
    if value and value.strip("0-") and value.strip("fF-"):
        print(value); break
else:
    print(socket.gethostname())
PY
)

# 12 s of 1 s pushes: a full 10 s rate window in Prometheus, next to the kernel's own count of
# burn's CPU (schedstat, ns) over the same 10 s: on a busy host burn gets less than a CPU.
sleep 2
burn_ns_before=$(cut -d' ' -f1 "/proc/$BURN_PID/schedstat")
sleep 10
burn_ns_after=$(cut -d' ' -f1 "/proc/$BURN_PID/schedstat")
# Evaluated at the newest pushed sample's time: at "now", the window would end a push and a
# collection after the newest sample, and rate() would extrapolate less than the window.
newest=$(prom_query 'max(timestamp(bpfproc_group_cpu_seconds_total{group="burn",e2e="remote_write"}))')
rate=$(prom_query_at 'sum(rate(bpfproc_group_cpu_seconds_total{group="burn",e2e="remote_write"}[10s]))' "$newest")
kernel_rate=$(python3 -c "print(round(($burn_ns_after - $burn_ns_before) / 10e9, 4))")
echo "measured: pushed sum(rate(bpfproc_group_cpu_seconds_total{group=\"burn\"}[10s])) = $rate (kernel: $kernel_rate)"
python3 -c "import sys; a, b = map(float, sys.argv[1:]); sys.exit(0 if abs(a - b) <= 0.1 else 1)" "$rate" "$kernel_rate" \
  2>/dev/null || fail "pushed burn CPU rate is $rate in Prometheus, the kernel counted $kernel_rate CPU"
pass "Prometheus computes burn's CPU rate $rate from pushed samples (kernel: $kernel_rate)"
count=$(prom_query "count(bpfproc_group_processes{group=\"burn\",instance=\"$identity\",e2e=\"remote_write\"} == 1)")
[[ $count == 1 ]] || fail "bpfproc_group_processes{group=\"burn\",instance=\"$identity\"} == 1: $count series"
pass "pushed series carry instance=\"$identity\" (the host identity) and the external label"

# Stopped, burn's counter stays put: after a few more pushes, the receivers hold what /metrics serves.
kill -STOP "$BURN_PID"
sleep 4
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/stopped.prom"
scraped_at=$(date +%s.%N)
kill -CONT "$BURN_PID"
served=$(python3 -c '
import sys
total = 0.0
for line in open(sys.argv[1]):
    if line.startswith("bpfproc_group_cpu_seconds_total{group=\"burn\","):
        total += float(line.split()[-1])
print(repr(total))' "$E2E_TMP/stopped.prom")
same() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); sys.exit(0 if abs(a - b) <= 1e-9 * max(1, abs(a)) else 1)" "$1" "$2"; }
pushed=$(prom_query_at 'sum(last_over_time(bpfproc_group_cpu_seconds_total{group="burn",e2e="remote_write"}[2s]))' \
  "$scraped_at")
same "$served" "$pushed" || fail "Prometheus holds burn's CPU as $pushed, /metrics served $served"
pass "Prometheus holds burn's CPU counter as /metrics serves it ($served s)"

curl -sf --max-time 10 "$VM_URL/internal/force_flush" >/dev/null || fail "victoria-metrics force_flush failed"
curl -sf --max-time 10 -G "$VM_URL/api/v1/export" \
  --data-urlencode 'match[]=bpfproc_group_cpu_seconds_total{group="burn",e2e="remote_write"}' \
  -o "$E2E_TMP/vm.jsonl" || fail "victoria-metrics export failed"
vm=$(python3 -c '
import json, sys
series = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
modes = sorted(s["metric"].get("mode", "") for s in series)
instances = {s["metric"].get("instance") for s in series}
# The samples taken while burn was stopped: the newest up to the scrape of /metrics.
scraped_ms = float(sys.argv[2]) * 1000
newest = max(t for t in series[0]["timestamps"] if t <= scraped_ms)
total = sum(v for s in series for v, t in zip(s["values"], s["timestamps"]) if t == newest)
print(",".join(modes), ",".join(sorted(instances)), len(series[0]["values"]), repr(total))' "$E2E_TMP/vm.jsonl" "$scraped_at")
read -r vm_modes vm_instance vm_samples vm_total <<<"$vm"
[[ $vm_modes == system,user && $vm_instance == "$identity" ]] ||
  fail "victoria-metrics has modes '$vm_modes' and instance '$vm_instance', expected system,user and $identity"
((vm_samples >= 10)) || fail "victoria-metrics has $vm_samples samples of burn's CPU, expected 10 or more"
same "$served" "$vm_total" || fail "victoria-metrics holds burn's CPU as $vm_total, /metrics served $served"
pass "victoria-metrics holds the same series ($vm_samples samples each) and value ($vm_total s) through /api/v1/write"

# The 400 receiver: one request per push, each a new body, none retried.
read -r bad_requests bad_bodies bad_statuses headers <<<"$(python3 -c '
import json, sys
entries = [json.loads(line) for line in open(sys.argv[1])]
e = entries[-1]
headers = "|".join([e["Content-Encoding"], e["Content-Type"], e["X-Prometheus-Remote-Write-Version"],
                    e["X-Scope-OrgID"], e["Authorization"]]).replace(" ", "_")
print(len(entries), len({x["sha"] for x in entries}), ",".join(sorted({str(x["status"]) for x in entries})), headers)
' "$E2E_TMP/bad.jsonl")"
[[ $headers == "snappy|application/x-protobuf|0.1.0|e2e-tenant|Bearer_e2e-token" ]] ||
  fail "request headers are $headers, expected snappy|application/x-protobuf|0.1.0|e2e-tenant|Bearer e2e-token"
pass "requests carry Content-Encoding, Content-Type, X-Prometheus-Remote-Write-Version, the extra header and the token"
((bad_requests >= 10)) || fail "the 400 receiver got $bad_requests requests in ~16 s of 1 s pushes"
[[ $bad_bodies == "$bad_requests" && $bad_statuses == 400 ]] ||
  fail "the 400 receiver got $bad_requests requests but $bad_bodies bodies: a refused batch was retried"
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/after.prom"
bad_url="http://127.0.0.1:$BAD_PORT/api/v1/write"
failed=$(series_value "bpfproc_remote_write_samples_total{result=\"failed\",url=\"$bad_url\"}" "$E2E_TMP/after.prom")
retried=$(series_value "bpfproc_remote_write_samples_total{result=\"retried\",url=\"$bad_url\"}" "$E2E_TMP/after.prom")
((${failed:-0} > 0)) && [[ $retried == 0 ]] || fail "400 receiver: failed=$failed retried=$retried samples"
pass "400: $bad_requests requests, none retried; $failed samples counted as failed"

# The 503 receiver: the first batch four times (retried after a backoff), then 204 for the rest.
read -r first_four later gaps <<<"$(python3 -c '
import json, sys
entries = [json.loads(line) for line in open(sys.argv[1])]
first = entries[:5]
print(len({x["sha"] for x in first}), ",".join(str(x["status"]) for x in entries[4:7]),
      ",".join("%.2f" % (b["time"] - a["time"]) for a, b in zip(first, first[1:])))
' "$E2E_TMP/busy.jsonl")"
[[ $first_four == 1 && $later == 204,204,204 ]] ||
  fail "503 receiver: the first 5 requests hold $first_four bodies (expected 1: the same batch), then $later"
busy_url="http://127.0.0.1:$BUSY_PORT/write"
retried=$(series_value "bpfproc_remote_write_samples_total{result=\"retried\",url=\"$busy_url\"}" "$E2E_TMP/after.prom")
sent=$(series_value "bpfproc_remote_write_samples_total{result=\"sent\",url=\"$busy_url\"}" "$E2E_TMP/after.prom")
queue=$(series_value "bpfproc_remote_write_queue_samples{url=\"$busy_url\"}" "$E2E_TMP/after.prom")
((${retried:-0} > 0 && ${sent:-0} > 0)) && [[ $queue == 0 ]] ||
  fail "503 receiver: retried=$retried sent=$sent queue=$queue samples"
pass "503: the same batch retried after ${gaps}s (backoff), then taken; retried=$retried sent=$sent, queue empty"

# The https receiver: verified with the CA, and it saw bpfproc's client certificate.
read -r tls_requests tls_client <<<"$(python3 -c '
import json, sys
entries = [json.loads(line) for line in open(sys.argv[1])]
print(len(entries), ",".join(sorted({e["client"] for e in entries})))' "$E2E_TMP/tls.jsonl")"
tls_url="https://127.0.0.1:$TLS_PORT/api/v1/write"
tls_sent=$(series_value "bpfproc_remote_write_samples_total{result=\"sent\",url=\"$tls_url\"}" "$E2E_TMP/after.prom")
((tls_requests >= 10 && ${tls_sent:-0} > 0)) && [[ $tls_client == bpfproc-client ]] ||
  fail "https receiver: $tls_requests requests from '$tls_client', $tls_sent samples sent"
pass "https with mutual TLS: $tls_requests pushes from client certificate $tls_client, $tls_sent samples sent"

# Pushes are not scrapes, and share the collections: over 10 s of 1 s collections and pushes, the
# tasks collector runs about 10 times (pushing on its own schedule would double that).
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/one.prom"
sleep 10
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/two.prom"
scrapes_one=$(series_value bpfproc_exporter_scrapes_total "$E2E_TMP/one.prom")
scrapes_two=$(series_value bpfproc_exporter_scrapes_total "$E2E_TMP/two.prom")
((scrapes_two - scrapes_one == 1)) || fail "scrapes_total went $scrapes_one -> $scrapes_two across one scrape and 10 pushes"
runs() { series_value 'bpfproc_exporter_collector_duration_seconds_count{collector="tasks"}' "$1"; }
collections=$(($(runs "$E2E_TMP/two.prom") - $(runs "$E2E_TMP/one.prom")))
((collections <= 14)) || fail "$collections collections in 10 s of 1 s collections and pushes, expected about 10"
pass "scrapes_total counts HTTP scrapes only (+1); $collections collections in 10 s with 1 s pushes"

# The hanging receiver's first request is under way (5 min timeout): shutdown aborts it, and the daemon
# stops within stop's 10 s.
stop "$BPFPROC_PID"
[[ $STOPPED_STATUS == 0 ]] || fail "bpfproc exited $STOPPED_STATUS on SIGTERM with a receiver that never answers"
pass "a receiver that never answers held neither the other receivers nor the shutdown"
