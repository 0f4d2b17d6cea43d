#!/usr/bin/env bash
# reload: SIGHUP puts new --config.file rules (and --web.config.file) in force; a bad file keeps
# the configuration in force; SIGTERM stops the daemon cleanly.
#  - a rule renamed at reload: its processes move to the new group, which starts from zero; the
#    old group keeps the CPU used under it, then is retired after --group.retention; a group the
#    new rules still name keeps its counters;
#  - bad syntax, an unknown key, a deleted file, a directory, a bad web config: one error line
#    each naming the file, bpfproc_exporter_config_last_reload_successful 0, the previous rules
#    and the previous web config (basic auth) still serving; a good file then reloads again;
#  - a changed web config (a user renamed) is in force after SIGHUP;
#  - SIGTERM while scrapes are under way: every scrape gets a whole exposition or no connection,
#    and the daemon exits 0.
source "$(dirname "$0")/lib.sh"

ln -s "$BPFPROC_TOOLS/burn" "$E2E_TMP/reloadkeep"  # comms only these processes have
ln -s "$BPFPROC_TOOLS/burn" "$E2E_TMP/reloadmove"
readonly CONFIG="$E2E_TMP/config.yml"
rules() {  # rules NAME_OF_THE_RELOADMOVE_GROUP
  printf 'process_names:\n  - name: kept\n    comm: [reloadkeep]\n  - name: %s\n    comm: [reloadmove]\n' "$1" >"$CONFIG"
}
rules before
printf "basic_auth_users:\n  prometheus: '%s'\n" "$S3CRET_BCRYPT" >"$E2E_TMP/web.yml"
E2E_CURL_ARGS=(-u prometheus:s3cret)
start_bpfproc --config.file "$CONFIG" --web.config.file "$E2E_TMP/web.yml" --group.retention 3s \
  --collection.interval 1s --no-collector.memory

# cpu GROUP FILE: the group's CPU seconds, user + system.
cpu() {
  awk -v prefix="bpfproc_group_cpu_seconds_total{group=\"$1\"," 'index($0, prefix) == 1 { sum += $NF } END { printf "%.6f\n", sum }' "$2"
}
# reloaded WANT: sends SIGHUP and waits until the reload gauge is WANT and the success timestamp
# moved (WANT 1) or until an error line more than before is in the log (WANT 0).
reloaded() {
  local want=$1 errors_before stamp_before
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/pre.prom"
  stamp_before=$(series_value bpfproc_exporter_config_last_reload_success_timestamp_seconds "$E2E_TMP/pre.prom")
  errors_before=$(grep -c 'reload rejected' "$BPFPROC_LOG" || true)
  sleep 0.01  # a new success timestamp differs from the last one
  kill -HUP "$BPFPROC_PID"
  local deadline=$((SECONDS + 10)) gauge stamp errors
  while :; do
    scrape "$BPFPROC_URL/metrics" "$E2E_TMP/post.prom"
    gauge=$(series_value bpfproc_exporter_config_last_reload_successful "$E2E_TMP/post.prom")
    stamp=$(series_value bpfproc_exporter_config_last_reload_success_timestamp_seconds "$E2E_TMP/post.prom")
    errors=$(grep -c 'reload rejected' "$BPFPROC_LOG" || true)
    if ((want == 1)); then
      [[ $gauge == 1 && $stamp != "$stamp_before" ]] && break
    else
      [[ $gauge == 0 && $stamp == "$stamp_before" ]] && ((errors > errors_before)) && break
    fi
    kill -0 "$BPFPROC_PID" 2>/dev/null || fail "bpfproc died at SIGHUP"
    ((SECONDS < deadline)) || fail "after SIGHUP: reload gauge '$gauge', timestamp $stamp_before -> $stamp, $errors_before -> $errors error lines; expected gauge $want"
    sleep 0.1
  done
  RELOAD_ERRORS=$((errors - errors_before))
  RELOAD_ERROR_LINE=$(grep 'reload rejected' "$BPFPROC_LOG" | tail -n 1 || true)
}

scrape "$BPFPROC_URL/metrics" "$E2E_TMP/start.prom"
[[ $(series_value bpfproc_exporter_config_last_reload_successful "$E2E_TMP/start.prom") == 1 ]] ||
  fail "bpfproc_exporter_config_last_reload_successful is not 1 at start"
start_stamp=$(series_value bpfproc_exporter_config_last_reload_success_timestamp_seconds "$E2E_TMP/start.prom")
python3 -c "import sys, time; sys.exit(0 if abs(float('$start_stamp') - time.time()) < 120 else 1)" ||
  fail "the success timestamp at start is $start_stamp, not the start's time"

# Two processes that burn 300 ms of CPU, then sleep until the test ends (stdin never closes).
mkfifo "$E2E_TMP/hold"
exec 3<>"$E2E_TMP/hold"
for program in reloadkeep reloadmove; do
  "$E2E_TMP/$program" -p 300 <&3 >/dev/null 2>&1 &
  E2E_PIDS+=($!)
done
wait_series 'bpfproc_group_processes{group="kept"}' 1 20
wait_series 'bpfproc_group_processes{group="before"}' 1 20
deadline=$((SECONDS + 30))
while :; do  # until both have burnt their 300 ms
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/burnt.prom"
  kept=$(cpu kept "$E2E_TMP/burnt.prom")
  before=$(cpu before "$E2E_TMP/burnt.prom")
  python3 -c "import sys; sys.exit(0 if $kept >= 0.29 and $before >= 0.29 else 1)" && break
  ((SECONDS < deadline)) || fail "kept used $kept s, before $before s of CPU, expected 0.3 s each"
  sleep 0.5
done
sleep 1  # their last tick of CPU
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/before.prom"
kept=$(cpu kept "$E2E_TMP/before.prom")
before=$(cpu before "$E2E_TMP/before.prom")

rules after
reloaded 1
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/after.prom"
[[ $(series_value 'bpfproc_group_processes{group="after"}' "$E2E_TMP/after.prom") == 1 ]] ||
  fail "the renamed group has no process right after the reload"
[[ $(series_value 'bpfproc_group_processes{group="kept"}' "$E2E_TMP/after.prom") == 1 ]] ||
  fail "the unchanged group lost its process at the reload"
kept_after=$(cpu kept "$E2E_TMP/after.prom")
after=$(cpu after "$E2E_TMP/after.prom")
before_after=$(cpu before "$E2E_TMP/after.prom")
python3 - "$kept" "$kept_after" "$after" "$before" "$before_after" <<'PY' || fail "counters across the reload: kept $kept -> $kept_after, before $before -> $before_after, after $after"
import sys
kept, kept_after, after, before, before_after = map(float, sys.argv[1:])
# Both processes sleep: the unchanged group keeps its CPU, the new one starts from (almost) zero.
sys.exit(0 if kept_after >= kept and kept_after - kept < 0.05 and after < 0.05 and before_after >= before else 1)
PY
grep -q 'reloaded .*config.yml' "$BPFPROC_LOG" || fail "no log line for the reload"
pass "SIGHUP: 'before' renamed 'after' starts at ${after} s, 'kept' keeps ${kept_after} s (was $kept), 'before' keeps $before_after s"

deadline=$((SECONDS + 20))
while :; do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/retired.prom"
  grep -q 'group="before"' "$E2E_TMP/retired.prom" || break
  ((SECONDS < deadline)) || fail "the old group 'before' is still exported 20 s after the reload (retention 3 s)"
  sleep 0.5
done
retired=$(series_value bpfproc_exporter_groups_retired_total "$E2E_TMP/retired.prom")
((retired >= 1)) || fail "bpfproc_exporter_groups_retired_total is $retired after 'before' left"
[[ $(cpu kept "$E2E_TMP/retired.prom") == "$kept_after" || $(series_value 'bpfproc_group_processes{group="kept"}' "$E2E_TMP/retired.prom") == 1 ]] ||
  fail "the unchanged group changed while the old one was retired"
pass "the old group is retired after the retention ($retired retired)"

# bad_reload WHAT EXPECTED: a reload that must be rejected with one error line holding EXPECTED.
bad_reload() {
  local what=$1 expected=$2
  reloaded 0
  ((RELOAD_ERRORS == 1)) || fail "$what: $RELOAD_ERRORS error lines, expected 1"
  [[ $RELOAD_ERROR_LINE == *"$expected"* ]] || fail "$what: the error line does not hold '$expected': $RELOAD_ERROR_LINE"
  [[ $(series_value 'bpfproc_group_processes{group="after"}' "$E2E_TMP/post.prom") == 1 ]] ||
    fail "$what: the rules in force changed"
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BPFPROC_URL/metrics") == 401 ]] ||
    fail "$what: /metrics answers without credentials: the web config in force changed"
  pass "$what: rejected (${RELOAD_ERROR_LINE##*: reload rejected}), previous configuration serving"
}
good_reload() {
  rules after
  reloaded 1
}

printf 'process_names:\n  - name: [after\n' >"$CONFIG"
bad_reload "bad YAML" "config.yml:"
good_reload
printf 'process_names:\n  - name: after\n    comm: [reloadmove]\n    comms: [x]\n' >"$CONFIG"
bad_reload "an unknown key" 'config.yml:4: unknown key "comms"'
good_reload
rm "$CONFIG"
bad_reload "a deleted file" "config.yml: cannot read config file: No such file or directory"
mkdir "$CONFIG"
bad_reload "a directory" "config.yml: cannot read config file: Is a directory"
rmdir "$CONFIG"
good_reload
cp "$E2E_TMP/web.yml" "$E2E_TMP/web.good"
printf 'basic_auth_users:\n  prometheus: not-a-hash\n' >"$E2E_TMP/web.yml"
bad_reload "a bad web config" "web.yml:2:"
rm "$E2E_TMP/web.yml" && mkdir "$E2E_TMP/web.yml"
bad_reload "a web config that is a directory" "web.yml: cannot read: Is a directory"
rmdir "$E2E_TMP/web.yml" && mv "$E2E_TMP/web.good" "$E2E_TMP/web.yml"
good_reload
pass "a good file after the bad ones reloads again"

# A new web config takes effect: the user "prometheus" renamed "scraper" (same password), then back.
# status_as USER: the HTTP status of /metrics with USER's credentials.
status_as() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -u "$1:s3cret" "$BPFPROC_URL/metrics"; }
# switch_user FROM TO: reload a web config that has only TO; FROM must be refused after it.
switch_user() {
  printf "basic_auth_users:\n  %s: '%s'\n" "$2" "$S3CRET_BCRYPT" >"$E2E_TMP/web.yml"
  kill -HUP "$BPFPROC_PID"
  local deadline=$((SECONDS + 10))
  until [[ $(status_as "$2") == 200 ]]; do
    ((SECONDS < deadline)) || fail "10 s after a reload that added the user '$2', it is still refused"
    sleep 0.1
  done
  [[ $(status_as "$1") == 401 ]] || fail "after a reload that removed the user '$1', it is still admitted"
}
switch_user prometheus scraper
switch_user scraper prometheus
pass "a changed web config is in force after SIGHUP: the new user is admitted, the removed one refused"

# SIGTERM while scrapes are under way: a scrape whose response began gets all of it. A request
# that comes once the server is stopping gets 503; a connection the server had not taken a
# request from yet may be refused (curl 7) or reset without any response (curl 52/56, HTTP code
# 000, nothing received): counted, not a failure.
scrapers=()
for worker in $(seq 8); do
  (
    served=0 unserved=0
    for round in $(seq 400); do
      status=0
      result=$(curl -s --max-time 10 -u prometheus:s3cret -w '%{http_code} %{size_download}' \
        -o "$E2E_TMP/term-$worker.prom" "$BPFPROC_URL/metrics") || status=$?
      if ((status == 7)); then break; fi  # refused: the server is gone
      # Once stopping, the server answers new requests 503: a whole answer, a clean refusal.
      if ((status == 0)) && [[ $result == 503* ]]; then
        ((++unserved))
        continue
      fi
      if ((status == 52 || status == 56)) && [[ $result == "000 0" ]]; then
        ((++unserved))
        continue
      fi
      ((status == 0)) || { echo "curl exit $status after '$result' (code, bytes)"; exit 1; }
      # curl itself fails (18) on a body shorter than its Content-Length.
      grep -q '^bpfproc_exporter_series ' "$E2E_TMP/term-$worker.prom" || { echo "an exposition without its series count"; exit 1; }
      ((++served))
    done
    echo "$served $unserved"
  ) >"$E2E_TMP/scraper-$worker.log" 2>&1 &
  scrapers+=($!)
done
sleep 1
stop "$BPFPROC_PID"
((STOPPED_STATUS == 0)) || fail "bpfproc exited $STOPPED_STATUS after SIGTERM, expected 0"
for index in "${!scrapers[@]}"; do
  wait "${scrapers[$index]}" || fail "scraper $((index + 1)) during SIGTERM: $(cat "$E2E_TMP/scraper-$((index + 1)).log")"
done
grep -q 'received Terminated, shutting down' "$BPFPROC_LOG" || fail "no shutdown line in the log"
grep -q 'stopped' "$BPFPROC_LOG" || fail "no 'stopped' line in the log"
read -r served unserved < <(cat "$E2E_TMP"/scraper-*.log | awk '{ s += $1; u += $2 } END { print s, u }')
pass "SIGTERM during 8 scrapers: $served scrapes whole, $unserved refused (503) or reset before any response, exit 0"
