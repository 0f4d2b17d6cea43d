#!/usr/bin/env bash
# web_load: slow and many clients (all on loopback; tests/e2e/http_load.py).
#  - slowloris: 200 connections from 127.0.0.1 each sending one header byte a second; a normal
#    scrape from the same address is still served within 1 s (best of three: a blocked server
#    fails all three), and the slow ones are closed by the request-header deadline; then 300 from 127.0.0.2, over the per-client limit (256): the excess is
#    closed and a scrape from 127.0.0.1 is still served;
#  - 1,000 concurrent scrapes: every one answered or cleanly refused (503 or closed), none hung,
#    the daemon alive; its peak RSS (VmHWM) before and after is printed.
source "$(dirname "$0")/lib.sh"
load="python3 $(dirname "$0")/http_load.py"
ulimit -n 8192  # the clients' sockets (the daemon raises its own limit)

start_bpfproc --no-collector.memory
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/first.prom"

# scrape_seconds: the best time of three scrapes of /metrics, in seconds ("fail" if none answered).
scrape_seconds() {
  local best=fail time
  for _ in 1 2 3; do
    time=$(curl -sf -o /dev/null -w '%{time_total}' --max-time 5 "$BPFPROC_URL/metrics") || continue
    if [[ $best == fail ]] || awk -v a="$time" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$time; fi
  done
  echo "$best"
}

$load slowloris 127.0.0.1 "$BPFPROC_PORT" 200 16 >"$E2E_TMP/slow.out" &
slow_pid=$!
E2E_PIDS+=("$slow_pid")
sleep 4  # connected, a few bytes each
grep -q '^connected=200$' "$E2E_TMP/slow.out" || fail "slowloris: $(cat "$E2E_TMP/slow.out")"
seconds=$(scrape_seconds)
[[ $seconds != fail ]] && awk -v s="$seconds" 'BEGIN { exit !(s < 1) }' ||
  fail "with 200 slow connections open, a scrape took ${seconds} s (expected < 1 s)"
wait "$slow_pid"
grep -q '^open_at_end=0$' "$E2E_TMP/slow.out" ||
  fail "slow connections still open 16 s after they started (request-header deadline 10 s): $(cat "$E2E_TMP/slow.out")"
pass "200 slow connections from 127.0.0.1: a scrape from 127.0.0.1 served in ${seconds} s; all 200 closed by the 10 s request-header deadline"

$load slowloris 127.0.0.1 "$BPFPROC_PORT" 300 8 127.0.0.2 >"$E2E_TMP/slow2.out" &
slow_pid=$!
E2E_PIDS+=("$slow_pid")
sleep 4
seconds=$(scrape_seconds)
[[ $seconds != fail ]] && awk -v s="$seconds" 'BEGIN { exit !(s < 1) }' ||
  fail "with 300 slow connections from 127.0.0.2, a scrape from 127.0.0.1 took ${seconds} s"
wait "$slow_pid"
open=$(sed -n 's/^open_at_end=//p' "$E2E_TMP/slow2.out")
((open <= 256)) || fail "300 slow connections from one address: $open stayed open (limit 256)"
pass "300 slow connections from 127.0.0.2: $open kept (per-client limit 256), a scrape from 127.0.0.1 in ${seconds} s"

hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$BPFPROC_PID/status"; }
body=$(curl -sf --max-time 10 "$BPFPROC_URL/metrics" | wc -c)
# concurrent_scrapes SOURCES: 1,000 scrapes at once from that many loopback addresses.
concurrent_scrapes() {
  local before after result
  before=$(hwm)
  result=$($load concurrent 127.0.0.1 "$BPFPROC_PORT" 1000 /metrics "$1")
  after=$(hwm)
  kill -0 "$BPFPROC_PID" 2>/dev/null || fail "1,000 concurrent scrapes from $1 addresses: the daemon died"
  [[ $result =~ hung=0\ other=0 ]] || fail "1,000 concurrent scrapes from $1 addresses: $result"
  [[ $result =~ ok=([0-9]+) ]] && ((BASH_REMATCH[1] > 0)) || fail "1,000 concurrent scrapes: none answered: $result"
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/after.prom"
  pass "1,000 concurrent scrapes from $1 address(es): $result; body ${body} B; VmHWM ${before} kB -> ${after} kB"
}
concurrent_scrapes 1  # over the per-client limit: the excess is closed at once
concurrent_scrapes 8  # 125 from each address: all admitted
