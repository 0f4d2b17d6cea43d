#!/usr/bin/env bash
# web_listen: where and how the daemon listens.
#  - IPv6 ([::1]:port); the default form ":port" on both stacks; several --web.listen-address
#    flags at once, each answering;
#  - HEAD answered (headers, no body), other methods 405 with Allow;
#  - a port in use: exit 1 with one line naming the address and the reason.
source "$(dirname "$0")/lib.sh"

v4_port=$(free_port)
v6_port=$(free_port)
dual_port=$(free_port)
spawn "$E2E_TMP/multi.log" "$BPFPROC" --no-collector.memory --web.listen-address "127.0.0.1:$v4_port" \
  --web.listen-address "[::1]:$v6_port" --web.listen-address ":$dual_port"
pid=$SPAWNED_PID
wait_http "http://127.0.0.1:$v4_port/metrics" 30 "$pid" "bpfproc (127.0.0.1:$v4_port)"
for url in "http://[::1]:$v6_port/metrics" "http://127.0.0.1:$dual_port/metrics" "http://[::1]:$dual_port/metrics"; do
  curl -gsf --max-time 10 -o "$E2E_TMP/out.prom" "$url" || fail "GET $url failed"
  grep -q '^bpfproc_exporter_scrapes_total ' "$E2E_TMP/out.prom" || fail "GET $url: no bpfproc_exporter_scrapes_total"
done
! curl -gsf -o /dev/null --max-time 5 "http://127.0.0.1:$v6_port/metrics" ||
  fail "[::1]:$v6_port also answered on IPv4"
pass "three --web.listen-address flags: 127.0.0.1, [::1] and :port (answering on 127.0.0.1 and ::1)"

url="http://127.0.0.1:$v4_port"
head=$(curl -sI --max-time 10 "$url/metrics")
grep -q '^HTTP/1.1 200' <<<"$head" || fail "HEAD /metrics: $head"
grep -qi '^Content-Length: [1-9]' <<<"$head" || fail "HEAD /metrics has no Content-Length: $head"
[[ $(curl -s --max-time 10 --head "$url/" -o - | sed '1,/^\r$/d' | wc -c) == 0 ]] || fail "HEAD / carried a body"
for method in POST PUT DELETE PATCH OPTIONS; do
  answer=$(curl -s -D - -o /dev/null --max-time 10 -X "$method" "$url/metrics")
  grep -q '^HTTP/1.1 405' <<<"$answer" || fail "$method /metrics: $(head -1 <<<"$answer")"
  grep -qi '^Allow: GET, HEAD' <<<"$answer" || fail "$method /metrics: no Allow header"
done
[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url/absent") == 404 ]] || fail "GET /absent is not 404"
pass "HEAD answered with headers only; POST, PUT, DELETE, PATCH, OPTIONS 405 with Allow: GET, HEAD"

code=0
"$BPFPROC" --no-collector.memory --web.listen-address "127.0.0.1:$v4_port" >/dev/null 2>"$E2E_TMP/in_use.err" || code=$?
want="bpfproc: --web.listen-address 127.0.0.1:$v4_port: cannot listen: Address already in use"
[[ $code == 1 ]] && grep -qxF "$want" "$E2E_TMP/in_use.err" ||
  fail "port in use: exit $code, stderr: $(cat "$E2E_TMP/in_use.err")"
pass "port in use: exit 1, $want"
