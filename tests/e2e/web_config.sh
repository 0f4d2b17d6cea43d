#!/usr/bin/env bash
# web_config: --web.config.file, exporter-toolkit's format, against the real binary and a real
# Prometheus.
#  - basic_auth_users: every endpoint answers 401 without the right credentials, 200 with them;
#    a real Prometheus with basic_auth in its scrape config scrapes it (up == 1);
#  - an invalid web config exits 2 with one line naming the file and line;
#  - tls_server_config: /metrics served over https (tests/e2e/web_tls.sh covers TLS in depth).
source "$(dirname "$0")/lib.sh"

printf "basic_auth_users:\n  prometheus: '%s'\n" "$S3CRET_BCRYPT" >"$E2E_TMP/web.yml"
E2E_CURL_ARGS=(-u prometheus:s3cret)
start_bpfproc --web.config.file "$E2E_TMP/web.yml" --no-collector.memory

# status PATH [CURL ARGS...]: the HTTP status of GET PATH on the daemon.
status() {
  local path=$1
  shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$BPFPROC_URL$path"
}
for path in /metrics /health /; do
  [[ $(status "$path") == 401 ]] || fail "GET $path without credentials answered $(status "$path"), expected 401"
  [[ $(status "$path" -u prometheus:wrong) == 401 ]] || fail "GET $path with a wrong password was not refused"
  [[ $(status "$path" -u prometheus:s3cret) == 200 ]] || fail "GET $path with the right password was refused"
done
curl -s -D - -o /dev/null --max-time 10 "$BPFPROC_URL/metrics" | grep -qi '^WWW-Authenticate: Basic' ||
  fail "a 401 carries no WWW-Authenticate: Basic header"
pass "basic auth: 401 without or with wrong credentials, 200 with them, on /metrics, /health and /"

# A real Prometheus with basic_auth in its scrape config.
start_prometheus 'basic_auth: {username: prometheus, password: s3cret}'
wait_scraped 30
E2E_CURL_ARGS=()  # the TLS daemon below has no users
pass "a real Prometheus scrapes through basic auth: up == 1"

# Invalid web config: exit 2, one line with file and line.
printf 'tls_server_config:\n  cert_file: a\n  key_file: b\n  kye_file: c\n' >"$E2E_TMP/bad.yml"
code=0
"$BPFPROC" --web.config.file "$E2E_TMP/bad.yml" --web.listen-address "127.0.0.1:$(free_port)" \
  >/dev/null 2>"$E2E_TMP/bad.err" || code=$?
[[ $code == 2 && $(wc -l <"$E2E_TMP/bad.err") == 1 ]] &&
  grep -q "^bpfproc: $E2E_TMP/bad.yml:4: unknown key \"kye_file\"$" "$E2E_TMP/bad.err" ||
  fail "invalid web config: exit $code, stderr: $(cat "$E2E_TMP/bad.err")"
pass "invalid web config: exit 2, $(cat "$E2E_TMP/bad.err")"

# TLS: /metrics over https with the certificate of the config.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$E2E_TMP/key.pem" -out "$E2E_TMP/cert.pem" 2>/dev/null
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' "$E2E_TMP/cert.pem" "$E2E_TMP/key.pem" >"$E2E_TMP/tls.yml"
tls_port=$(free_port)
spawn "$E2E_TMP/tls.log" "$BPFPROC" --web.config.file "$E2E_TMP/tls.yml" --web.listen-address "127.0.0.1:$tls_port"
wait_http "https://127.0.0.1:$tls_port/metrics" 30 "$SPAWNED_PID" "bpfproc with TLS" --cacert "$E2E_TMP/cert.pem"
scrape "https://127.0.0.1:$tls_port/metrics" "$E2E_TMP/tls.prom" --cacert "$E2E_TMP/cert.pem"
grep -q '^bpfproc_exporter_scrapes_total ' "$E2E_TMP/tls.prom" || fail "TLS: /metrics over https has no bpfproc_exporter_scrapes_total"
[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$tls_port/metrics") != 200 ]] ||
  fail "TLS: plain http was answered 200 on the TLS port"
pass "TLS: /metrics served over https, plain http refused"
