#!/usr/bin/env bash
# web_auth: basic auth that neither tells which users exist nor accepts a truncated password.
#  - an unknown user and a wrong password cost the same (medians within 20%): both go through
#    bcrypt (cost 10, so that bcrypt dominates the request);
#  - a password with a NUL after the right one ("s3cret\0anything") is refused;
#  - 8 clients sending wrong passwords continuously: valid scrapes are still answered; their
#    median and p99 latency with and without the flood are printed.
source "$(dirname "$0")/lib.sh"
load="python3 $(dirname "$0")/http_load.py"

hash=$(python3 -W ignore -c 'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))')
[[ $hash == '$2b$10$'* ]] || fail "cannot make a bcrypt hash: $hash"
printf "basic_auth_users:\n  prometheus: '%s'\n" "$hash" >"$E2E_TMP/web.yml"
E2E_CURL_ARGS=(-u prometheus:s3cret)
start_bpfproc --web.config.file "$E2E_TMP/web.yml" --no-collector.memory
basic() { printf 'Basic %s' "$(printf "$1" | base64 -w0)"; }

nul=$(basic 'prometheus:s3cret\0anything')
status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: $nul" "$BPFPROC_URL/metrics")
[[ $status == 401 ]] || fail "a password with a NUL after the right one answered $status"
pass "password \"s3cret\\0anything\" refused (401) after the right one passed"

# Interleaved rounds, so that a change in the machine's load hits both alike.
unknown=() wrong=()
for _ in 1 2 3 4 5; do
  unknown+=("$($load timing 127.0.0.1 "$BPFPROC_PORT" 8 "$(basic 'nobody:s3cret')" /health)")
  wrong+=("$($load timing 127.0.0.1 "$BPFPROC_PORT" 8 "$(basic 'prometheus:wrong')" /health)")
done
median_of() { printf '%s\n' "$@" | sed -n 's/^median_ms=\([0-9.]*\).*/\1/p' | sort -n | sed -n 3p; }
unknown_ms=$(median_of "${unknown[@]}")
wrong_ms=$(median_of "${wrong[@]}")
ratio=$(awk -v a="$unknown_ms" -v b="$wrong_ms" 'BEGIN { printf "%.3f", a / b }')
awk -v r="$ratio" 'BEGIN { exit !(r > 0.8 && r < 1.2) }' ||
  fail "unknown user ${unknown_ms} ms vs wrong password ${wrong_ms} ms (ratio $ratio, expected within 20%)"
pass "unknown user ${unknown_ms} ms, wrong password ${wrong_ms} ms (median of medians; ratio $ratio)"

valid=$(basic 'prometheus:s3cret')
$load timing 127.0.0.1 "$BPFPROC_PORT" 1 "$valid" >/dev/null  # bcrypt once; then from the cache
quiet=$($load timing 127.0.0.1 "$BPFPROC_PORT" 300 "$valid")
[[ $quiet == *"statuses={'200': 300}"* ]] || fail "valid scrapes without a flood: $quiet"
$load flood 127.0.0.1 "$BPFPROC_PORT" 8 20 "$(basic 'prometheus:wrong')" >"$E2E_TMP/flood.out" &
flood_pid=$!
E2E_PIDS+=("$flood_pid")
sleep 2
attacked=$($load timing 127.0.0.1 "$BPFPROC_PORT" 300 "$valid")
wait "$flood_pid"
[[ $attacked == *"statuses={'200': 300}"* ]] || fail "valid scrapes during the flood: $attacked"
pass "valid scrapes: without a flood $quiet; with 8 wrong-password clients ($(cat "$E2E_TMP/flood.out")) $attacked"
