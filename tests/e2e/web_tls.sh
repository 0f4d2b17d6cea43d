#!/usr/bin/env bash
# web_tls: tls_server_config on the real daemon, with curl and openssl s_client.
#  - client_auth_type, all five values x TLS 1.2 and 1.3 x (no client certificate, one the CA
#    signed, a self-signed one): served or refused as exporter-toolkit (Go's crypto/tls) does;
#  - versions: TLS 1.2 and 1.3 negotiated by default; TLS 1.2 refused under min_version TLS13;
#    TLS 1.3 refused under max_version TLS12; a cipher outside cipher_suites refused;
#  - rotation: a certificate replaced on disk is served to new connections without a restart;
#  - bad files: exit 2 with one line naming the file and the reason.
source "$(dirname "$0")/lib.sh"

pki=$E2E_TMP/pki
mkdir -p "$pki"
make_ca "$pki"
make_cert "$pki" server 127.0.0.1 ca
make_cert "$pki" client prometheus ca
make_cert "$pki" rogue prometheus  # self-signed: no CA vouches for it

# start_tls NAME YAML_LINES...: a daemon with tls_server_config (server cert + the given lines);
# sets PORT_<NAME>.
start_tls() {
  local name=$1 port
  shift
  port=$(free_port)
  {
    printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' "$pki/server.pem" "$pki/server.key"
    local line
    for line in "$@"; do printf '  %s\n' "$line"; done
  } >"$E2E_TMP/$name.yml"
  spawn "$E2E_TMP/$name.log" "$BPFPROC" --web.config.file "$E2E_TMP/$name.yml" \
    --web.listen-address "127.0.0.1:$port" --no-collector.memory
  printf -v "PORT_$name" '%s' "$port"
  wait_http "https://127.0.0.1:$port/health" 30 "$SPAWNED_PID" "bpfproc ($name)" \
    --cacert "$pki/ca.pem" --cert "$pki/client.pem" --key "$pki/client.key"
}

# outcome VERSION PORT [CERT NAME]: "ok" when GET /health over TLS VERSION (1.2 or 1.3) answers
# 200, else "refused".
outcome() {
  local version=$1 port=$2 name=${3:-} args=(--cacert "$pki/ca.pem" "--tlsv$1" --tls-max "$1")
  [[ -n $name ]] && args+=(--cert "$pki/$name.pem" --key "$pki/$name.key")
  if curl -sf -o /dev/null --max-time 10 "${args[@]}" "https://127.0.0.1:$port/health"; then echo ok; else echo refused; fi
}

declare -A expected=(
  [NoClientCert]="ok ok ok"
  [RequestClientCert]="ok ok ok"
  [RequireAnyClientCert]="refused ok ok"
  [VerifyClientCertIfGiven]="ok ok refused"
  [RequireAndVerifyClientCert]="refused ok refused"
)
for type in NoClientCert RequestClientCert RequireAnyClientCert VerifyClientCertIfGiven RequireAndVerifyClientCert; do
  lines=("client_auth_type: $type")
  [[ $type == Verify* || $type == RequireAndVerify* ]] && lines+=("client_ca_file: $pki/ca.pem")
  start_tls "$type" "${lines[@]}"
  port_var="PORT_$type"
  for version in 1.2 1.3; do
    got="$(outcome $version "${!port_var}") $(outcome $version "${!port_var}" client) $(outcome $version "${!port_var}" rogue)"
    [[ $got == "${expected[$type]}" ]] || fail "client_auth_type $type, TLS $version: (no cert, CA-signed cert," \
      "self-signed cert) gave ($got), expected (${expected[$type]})"
    pass "client_auth_type $type, TLS $version: no cert, CA-signed, self-signed -> $got"
  done
done

# handshake PORT ARGS...: the protocol openssl s_client negotiated, or "refused".
handshake() {
  local port=$1
  shift
  local output
  if output=$(openssl s_client -connect "127.0.0.1:$port" -CAfile "$pki/ca.pem" -brief "$@" </dev/null 2>&1) &&
    grep -q '^Protocol version: ' <<<"$output"; then
    sed -n 's/^Protocol version: //p' <<<"$output"
  else
    echo refused
  fi
}
default_port=$PORT_NoClientCert
[[ $(handshake "$default_port" -tls1_2) == TLSv1.2 ]] || fail "default versions: TLS 1.2 not negotiated"
[[ $(handshake "$default_port" -tls1_3) == TLSv1.3 ]] || fail "default versions: TLS 1.3 not negotiated"
pass "default versions: openssl s_client negotiates TLS 1.2 and TLS 1.3"

start_tls min13 "min_version: TLS13"
[[ $(handshake "$PORT_min13" -tls1_2) == refused ]] || fail "min_version TLS13: TLS 1.2 was accepted"
[[ $(handshake "$PORT_min13" -tls1_3) == TLSv1.3 ]] || fail "min_version TLS13: TLS 1.3 not negotiated"
pass "min_version TLS13: TLS 1.2 refused, TLS 1.3 negotiated"

start_tls max12 "max_version: TLS12" "cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]" \
  "curve_preferences: [CurveP256]" "prefer_server_cipher_suites: true"
[[ $(handshake "$PORT_max12" -tls1_3) == refused ]] || fail "max_version TLS12: TLS 1.3 was accepted"
[[ $(handshake "$PORT_max12" -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256) == TLSv1.2 ]] ||
  fail "cipher_suites: the listed suite was refused"
[[ $(handshake "$PORT_max12" -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384) == refused ]] ||
  fail "cipher_suites: a suite outside the list was accepted"
[[ $(handshake "$PORT_max12" -tls1_2 -groups secp384r1) == refused ]] ||
  fail "curve_preferences: a curve outside the list was accepted"
pass "max_version TLS12: TLS 1.3 refused; cipher_suites and curve_preferences: only the listed ones"

# Rotation: new key and certificate written over the old files; new connections get them.
fingerprint() {
  openssl s_client -connect "127.0.0.1:$1" -CAfile "$pki/ca.pem" </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 2>/dev/null
}
before=$(fingerprint "$default_port")
cp "$pki/server.pem" "$pki/server-old.pem"
make_cert "$pki" server 127.0.0.1 ca
want=$(openssl x509 -in "$pki/server.pem" -noout -fingerprint -sha256)
[[ $before != "$want" ]] || fail "rotation: the new certificate has the old fingerprint"
deadline=$((SECONDS + 10))
until [[ $(fingerprint "$default_port") == "$want" ]]; do
  ((SECONDS < deadline)) || fail "rotation: still serving $(fingerprint "$default_port") 10 s after the files changed"
  sleep 0.5
done
[[ $(outcome 1.3 "$default_port") == ok ]] || fail "rotation: no https answer with the new certificate"
pass "rotation: the replaced certificate is served without a restart"

# Bad files and settings: exit 2, one line naming the file and the reason.
bad_config() {
  local name=$1 expected_line=$2
  shift 2
  {
    local line
    printf 'tls_server_config:\n'
    for line in "$@"; do printf '  %s\n' "$line"; done
  } >"$E2E_TMP/$name.yml"
  local code=0
  "$BPFPROC" --web.config.file "$E2E_TMP/$name.yml" --web.listen-address "127.0.0.1:$(free_port)" \
    >/dev/null 2>"$E2E_TMP/$name.err" || code=$?
  [[ $code == 2 && $(wc -l <"$E2E_TMP/$name.err") == 1 ]] && grep -qxF "bpfproc: $expected_line" "$E2E_TMP/$name.err" ||
    fail "$name: exit $code, stderr: $(cat "$E2E_TMP/$name.err") (expected: $expected_line)"
  pass "$name: exit 2, $(cat "$E2E_TMP/$name.err")"
}
: >"$pki/empty.pem"
bad_config empty_cert "$pki/empty.pem: the file is empty" \
  "cert_file: $pki/empty.pem" "key_file: $pki/server.key"
bad_config missing_key "$pki/absent.key: cannot read: No such file or directory" \
  "cert_file: $pki/server.pem" "key_file: $pki/absent.key"
bad_config not_a_certificate "$pki/server.key: no PEM certificate in the file (Base64 unexpected header error.)" \
  "cert_file: $pki/server.key" "key_file: $pki/server.key"
bad_config key_mismatch "$pki/client.key: the key does not match the certificate in $pki/server.pem" \
  "cert_file: $pki/server.pem" "key_file: $pki/client.key"
bad_config ca_without_verify \
  "$E2E_TMP/ca_without_verify.yml:4: client_ca_file needs a client_auth_type that verifies (VerifyClientCertIfGiven or RequireAndVerifyClientCert)" \
  "cert_file: $pki/server.pem" "key_file: $pki/server.key" "client_ca_file: $pki/ca.pem"
bad_config unknown_version \
  "$E2E_TMP/unknown_version.yml:4: min_version \"TLS9\" is not supported (TLS10, TLS11, TLS12 or TLS13)" \
  "cert_file: $pki/server.pem" "key_file: $pki/server.key" "min_version: TLS9"
bad_config empty_ca "$pki/empty.pem: the file is empty" \
  "cert_file: $pki/server.pem" "key_file: $pki/server.key" "client_auth_type: RequireAndVerifyClientCert" \
  "client_ca_file: $pki/empty.pem"
