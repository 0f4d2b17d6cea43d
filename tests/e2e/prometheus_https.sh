#!/usr/bin/env bash
# prometheus_https: a real Prometheus scrapes bpfproc over HTTPS with basic auth, trusting the
# daemon's certificate through a CA file, and PromQL through Prometheus' HTTP API returns the
# `burn` group's CPU rate.
#
# A test CA signs the daemon's certificate (IP:127.0.0.1); the web config has tls_server_config
# and basic_auth_users (bcrypt). Without credentials a scrape is refused with 401. Prometheus'
# scrape job has scheme https, tls_config.ca_file and basic_auth with a password_file; up must be
# 1 for every scrape of a 10 s window and sum(rate(bpfproc_group_cpu_seconds_total{group="burn"}
# [10s])) about one CPU, as `burn 0` spins one thread (0.5..1.05: TLS and auth must not change
# the counter; prometheus_scrape.sh checks exactness, 0.95..1.05, over plain HTTP).
source "$(dirname "$0")/lib.sh"

pki=$E2E_TMP/pki
mkdir -p "$pki"
make_ca "$pki"
make_cert "$pki" server 127.0.0.1 ca
cat >"$E2E_TMP/web.yml" <<EOF2
tls_server_config:
  cert_file: $pki/server.pem
  key_file: $pki/server.key
basic_auth_users:
  prometheus: '$S3CRET_BCRYPT'
EOF2
printf s3cret >"$E2E_TMP/password"

burn_comm
echo "process_names: [{name: burn, comm: [$BURN_COMM]}]" >"$E2E_TMP/bpfproc.yml"
BPFPROC_SCHEME=https
E2E_CURL_ARGS=(--cacert "$pki/ca.pem" -u prometheus:s3cret)
start_bpfproc --config.file "$E2E_TMP/bpfproc.yml" --web.config.file "$E2E_TMP/web.yml" --no-collector.memory
start_burn burn

# status [CURL ARGS...]: the HTTP status of an https scrape that trusts the CA.
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$pki/ca.pem" "$@" "$BPFPROC_URL/metrics"; }
[[ $(status) == 401 ]] || fail "an https scrape without credentials answered $(status), expected 401"
[[ $(status -u prometheus:wrong) == 401 ]] || fail "an https scrape with a wrong password was not refused"
[[ $(status -u prometheus:s3cret) == 200 ]] || fail "an https scrape with the right credentials was refused"
pass "https scrape: 401 without credentials or with a wrong password, 200 with them"

start_prometheus 'scheme: https' "tls_config: {ca_file: $pki/ca.pem}" \
  "basic_auth: {username: prometheus, password_file: $E2E_TMP/password}"
wait_scraped 30
pass "Prometheus scrapes bpfproc over https with basic auth: up{job=\"bpfproc\"} = 1"

sleep 12  # a 10 s rate window of 1 s scrapes, and a margin
up=$(prom_query 'min_over_time(up{job="bpfproc"}[10s])')
[[ $up == 1 ]] || fail "a scrape in the 10 s window failed: min_over_time(up[10s]) = $up; last error: $(target_error)"
rate=$(prom_query 'sum(rate(bpfproc_group_cpu_seconds_total{job="bpfproc", group="burn"}[10s]))')
echo "measured over https: sum(rate(bpfproc_group_cpu_seconds_total{group=\"burn\"}[10s])) = $rate"
python3 -c "import sys; sys.exit(0 if 0.5 <= float(sys.argv[1]) <= 1.05 else 1)" "$rate" 2>/dev/null ||
  fail "burn CPU rate over https is $rate, expected 0.5..1.05 (one spinning thread)"
pass "burn CPU rate $rate through Prometheus' HTTP API is within 0.5..1.05; up = 1 for the whole window"
