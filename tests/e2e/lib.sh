# tests/e2e/lib.sh: helpers shared by the end-to-end tests. Source it; it is not a test itself
# (tests/CMakeLists.txt leaves it out).
#
# Gives each test a temp dir ($E2E_TMP), loopback ports that are free, a bpfproc daemon that is
# known to be serving before the test goes on, and an EXIT trap that kills every process the test
# started (daemon, burn, prometheus, ...) and removes the temp dir, whether the test passed or not.
# Environment (set by ctest): BPFPROC = the bpfproc binary, BPFPROC_TOOLS = dir of burn/churn/swarm.
set -euo pipefail

: "${BPFPROC:?set BPFPROC to the bpfproc binary}"
: "${BPFPROC_TOOLS:?set BPFPROC_TOOLS to the directory holding burn, churn and swarm}"

E2E_NAME=$(basename "$0" .sh)

# The daemon loads BPF programs: root only. Exit 77 tells ctest "skipped", unless CI requires them.
# A test that starts no daemon (promtool only) sets E2E_UNPRIVILEGED=1 before sourcing this file.
if [[ $EUID -ne 0 && ${E2E_UNPRIVILEGED:-} != 1 ]]; then
  [[ ${BPFPROC_REQUIRE_BPF:-} == 1 ]] && { echo "FAIL [$E2E_NAME]: end-to-end tests need root" >&2; exit 1; }
  echo "skip [$E2E_NAME]: end-to-end tests need root (BPFPROC_REQUIRE_BPF=1 makes this a failure)"
  exit 77
fi

E2E_TMP=$(mktemp -d "/tmp/bpfproc-e2e-$E2E_NAME.XXXXXX")
E2E_PIDS=()       # every background process started through spawn
E2E_LOGS=()       # their logs, shown when the test fails
E2E_CURL_ARGS=()  # extra curl arguments for wait_http and scrape, e.g. credentials
E2E_CGROUPS=()    # cgroups made by make_cgroup

# One-line reason, then exit 1; the EXIT trap cleans up. Inside $(...) it ends only the subshell,
# and set -e then stops the test when the assignment fails.
fail() {
  echo "FAIL [$E2E_NAME]: $*" >&2
  exit 1
}

pass() { echo "ok   [$E2E_NAME]: $*"; }

cleanup() {
  local status=$? pid
  # A test's own last words (unmount what it mounted), before its processes are killed.
  if declare -F e2e_on_exit >/dev/null; then e2e_on_exit || true; fi
  for pid in "${E2E_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Give them 5 s to stop (prometheus flushes its head block), then force it.
  for _ in $(seq 50); do
    local alive=0
    for pid in "${E2E_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${E2E_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  ((${#E2E_PIDS[@]} == 0)) || wait "${E2E_PIDS[@]}" 2>/dev/null || true  # reap, so no zombies linger
  local cgroup
  for cgroup in "${E2E_CGROUPS[@]}"; do
    [[ -d $cgroup ]] || continue
    echo 1 >"$cgroup/cgroup.kill" 2>/dev/null || true  # what a spawned process left behind in it
    for _ in $(seq 50); do grep -qx 'populated 0' "$cgroup/cgroup.events" 2>/dev/null && break; sleep 0.1; done
    rmdir "$cgroup" 2>/dev/null || echo "warning [$E2E_NAME]: could not remove $cgroup" >&2
  done
  if ((status != 0)); then
    local log
    for log in "${E2E_LOGS[@]}"; do
      [[ -s $log ]] && { echo "--- last lines of $log:" >&2; tail -n 15 "$log" >&2; }
    done
  fi
  rm -rf "$E2E_TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# spawn LOG CMD ARGS...: starts CMD in the background with output to LOG; sets SPAWNED_PID.
spawn() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  SPAWNED_PID=$!
  E2E_PIDS+=("$SPAWNED_PID")
  E2E_LOGS+=("$log")
}

# stop PID: SIGTERM to a spawned process; fails unless it exits within 10 s (a hang check). Sets
# STOPPED_STATUS to its exit status and forgets the pid, so cleanup never signals a reused pid.
stop() {
  local pid=$1 kept=() other
  kill -TERM "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "pid $pid still running 10 s after SIGTERM"
  STOPPED_STATUS=0
  wait "$pid" || STOPPED_STATUS=$?
  for other in "${E2E_PIDS[@]}"; do [[ $other == "$pid" ]] || kept+=("$other"); done
  E2E_PIDS=("${kept[@]}")
}

# cgroup2_mount: where the cgroup v2 hierarchy is mounted, from mountinfo: /sys/fs/cgroup on pure
# v2 hosts, /sys/fs/cgroup/unified on hybrid ones. Empty when there is none.
cgroup2_mount() {
  awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' \
    /proc/self/mountinfo
}

# make_cgroup NAME: creates a cgroup v2 for the test and sets MADE_CGROUP to its directory. The
# EXIT trap kills whatever is left in it and removes it.
make_cgroup() {
  local mount
  mount=$(cgroup2_mount)
  [[ -n $mount ]] || fail "no cgroup2 mount in /proc/self/mountinfo"
  MADE_CGROUP="$mount/bpfproc-e2e-$E2E_NAME-$$-$1"
  mkdir "$MADE_CGROUP" || fail "cannot create the cgroup $MADE_CGROUP"
  E2E_CGROUPS+=("$MADE_CGROUP")
}

# expect_exit CODE REGEX CMD...: CMD must exit CODE within 30 s with exactly one stderr line,
# matching the extended REGEX: how every refusal (bad input, missing privileges, faults) looks.
expect_exit() {
  local code=$1 regex=$2 status=0 stderr_lines
  shift 2
  timeout 30 "$@" >"$E2E_TMP/stdout" 2>"$E2E_TMP/stderr" || status=$?
  mapfile -t stderr_lines <"$E2E_TMP/stderr"
  [[ $status == "$code" ]] || fail "$* exited $status, expected $code; stderr: ${stderr_lines[*]}"
  [[ ${#stderr_lines[@]} == 1 ]] || fail "$* wrote ${#stderr_lines[@]} stderr lines, expected 1: ${stderr_lines[*]}"
  [[ ${stderr_lines[0]} =~ $regex ]] || fail "$* said '${stderr_lines[0]}', expected /$regex/"
  pass "exit $code: ${stderr_lines[0]}"
}

# label_values METRIC LABEL FILE: one line per series of METRIC in the exposition FILE: its value,
# a tab, and the value of its label LABEL unescaped (group names may hold any character).
label_values() {
  python3 - "$@" <<'PY'
import re, sys
metric, label, path = sys.argv[1:4]
pair = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
unescape = {'\\\\': '\\', '\\"': '"', '\\n': '\n'}
for line in open(path, encoding='utf-8'):
    if not line.startswith(metric + '{'):
        continue
    labels, value = line.rstrip('\n').rsplit(' ', 1)
    for name, escaped in pair.findall(labels[len(metric) + 1:]):
        if name == label:
            print(value + '\t' + re.sub(r'\\[\\"n]', lambda m: unescape[m.group(0)], escaped))
PY
}

# free_port: prints a TCP port that nothing listens on at 127.0.0.1 (the kernel picks it).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL SECONDS PID WHAT [CURL ARGS...]: waits until URL answers 200; fails if PID dies or
# time runs out.
wait_http() {
  local url=$1 seconds=$2 pid=$3 what=$4
  shift 4
  local deadline=$((SECONDS + seconds))
  until curl -sf -o /dev/null --max-time 2 "${E2E_CURL_ARGS[@]}" "$@" "$url"; do
    kill -0 "$pid" 2>/dev/null || fail "$what exited before $url answered"
    ((SECONDS < deadline)) || fail "$what did not answer $url within ${seconds}s"
    sleep 0.2
  done
}

# start_bpfproc ARGS...: starts the daemon on a free loopback port with ARGS and waits (30 s at
# most) until its telemetry path answers (with E2E_CURL_ARGS, e.g. credentials or a CA file). Sets BPFPROC_PID, BPFPROC_PORT, BPFPROC_URL, BPFPROC_LOG.
start_bpfproc() {
  local path=/metrics previous='' arg
  for arg in "$@"; do
    [[ $previous == --web.telemetry-path ]] && path=$arg
    [[ $arg == --web.telemetry-path=* ]] && path=${arg#*=}
    previous=$arg
  done
  BPFPROC_PORT=$(free_port)
  BPFPROC_URL="${BPFPROC_SCHEME:-http}://127.0.0.1:$BPFPROC_PORT"  # BPFPROC_SCHEME=https with TLS
  BPFPROC_LOG="$E2E_TMP/bpfproc-$BPFPROC_PORT.log"
  spawn "$BPFPROC_LOG" "$BPFPROC" --web.listen-address "127.0.0.1:$BPFPROC_PORT" "$@"
  BPFPROC_PID=$SPAWNED_PID
  wait_http "$BPFPROC_URL$path" 30 "$BPFPROC_PID" "bpfproc ($BPFPROC_LOG)"
}

# scrape URL FILE [CURL ARGS...]: GETs URL into FILE; fails with the URL on any HTTP or network error.
scrape() {
  local url=$1 file=$2
  shift 2
  curl -sf --max-time 10 "${E2E_CURL_ARGS[@]}" "$@" -o "$file" "$url" || fail "GET $url failed (curl exit $?)"
}

# json_eval EXPR < FILE: prints EXPR as JSON, evaluated with d = the parsed JSON document.
json_eval() {
  python3 -c 'import json, sys; d = json.load(sys.stdin); print(json.dumps(eval(sys.argv[1])))' "$1"
}

# series_value SERIES FILE: the value of one exact series line (name and labels as exposed), or "".
series_value() {
  # ENVIRON, not -v: awk -v would turn the \" and \\ escapes of label values into other characters.
  SERIES="$1 " awk 'index($0, ENVIRON["SERIES"]) == 1 { print substr($0, length(ENVIRON["SERIES"]) + 1); exit }' "$2"
}

# wait_series SERIES VALUE SECONDS: scrapes the daemon until SERIES has VALUE (a new process may
# still be a shell that has not exec'd yet); fails with the last value seen when time runs out.
wait_series() {
  local series=$1 want=$2 deadline=$((SECONDS + $3)) seen
  while :; do
    scrape "$BPFPROC_URL/metrics" "$E2E_TMP/wait.prom"
    seen=$(series_value "$series" "$E2E_TMP/wait.prom")
    [[ $seen == "$want" ]] && return 0
    ((SECONDS < deadline)) || fail "$series is '${seen:-absent}', expected $want within $3 s"
    sleep 0.2
  done
}

# bcrypt (cost 4) of "s3cret", as htpasswd -nbBC 4 would write it: a basic_auth_users entry.
readonly S3CRET_BCRYPT='$2b$04$dR/J21ClGlkKz9JvCVDz/e4clSR/k3EPkkcjM.YIfKWOzP0UNCCzu'

# make_cert DIR NAME CN [SIGNER]: an EC key DIR/NAME.key and certificate DIR/NAME.pem for CN with
# subjectAltName IP:127.0.0.1, signed by DIR/SIGNER.{pem,key}, or self-signed without SIGNER.
# make_ca DIR: a CA DIR/ca.{pem,key} to sign them.
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=bpfproc-test-ca \
    -keyout "$1/ca.key" -out "$1/ca.pem" 2>/dev/null || fail "openssl cannot make a CA in $1"
}
make_cert() {
  local dir=$1 name=$2 cn=$3 signer=${4:-}
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$cn" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >"$dir/$name.ext"
  if [[ -n $signer ]]; then
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$signer.pem" -CAkey "$dir/$signer.key" -CAcreateserial \
      -days 1 -extfile "$dir/$name.ext" -out "$dir/$name.pem" 2>/dev/null
  else
    openssl x509 -req -in "$dir/$name.csr" -signkey "$dir/$name.key" -days 1 -extfile "$dir/$name.ext" \
      -out "$dir/$name.pem" 2>/dev/null
  fi || fail "openssl cannot make the certificate $dir/$name.pem"
}

# Helpers of the tests that run a workload beside the daemon: E2E_OTHER_CPUS is a taskset prefix
# that keeps the daemon and Prometheus off CPU 0, which burn gets to itself, when there is another.
E2E_OTHER_CPUS=()
(($(nproc) >= 2)) && E2E_OTHER_CPUS=(taskset -c 1)

# burn_comm: makes $BURN_COMM, a name of burn's own (a link to it), so that other burn processes
# on the host stay out of the test's group; the daemon's config names it.
burn_comm() {
  BURN_COMM="burn-e2e-$$"
  ln -sf "$BPFPROC_TOOLS/burn" "$E2E_TMP/$BURN_COMM"
}

# start_burn GROUP: `burn 0` as $BURN_COMM, spinning on CPU 0, and the daemon (moved to the other
# CPUs) sees it as the one process of GROUP. Sets BURN_PID. Its own session gives burn its own
# autogroup; at autogroup nice -20 it keeps CPU 0 to itself on a busy host. (A plain nice -20
# would not help, and would starve bpfproc and Prometheus: with autogroups, nice only weighs
# tasks against others of the same session.)
start_burn() {
  ((${#E2E_OTHER_CPUS[@]})) && taskset -apc 1 "$BPFPROC_PID" >/dev/null  # -a: every thread
  spawn "$E2E_TMP/burn.log" setsid taskset -c 0 "$E2E_TMP/$BURN_COMM" 0
  BURN_PID=$SPAWNED_PID
  wait_series "bpfproc_group_processes{group=\"$1\"}" 1 10
  [[ $(cat "/proc/$BURN_PID/comm") == "$BURN_COMM" ]] || fail "pid $BURN_PID is not $BURN_COMM"
  echo -20 2>/dev/null >"/proc/$BURN_PID/autogroup" || true  # absent without CONFIG_SCHED_AUTOGROUP
}

# start_prometheus [YAML LINES...]: a real Prometheus on a free loopback port, with its own
# storage in $E2E_TMP, scraping the daemon every second as job "bpfproc"; each argument is one more
# line of the job (scheme, tls_config, basic_auth, ...). Waits until it is ready; sets
# PROMETHEUS_URL and PROMETHEUS_PID.
start_prometheus() {
  local port line
  port=$(free_port)
  PROMETHEUS_URL="http://127.0.0.1:$port"
  {
    # scrape_timeout: the default 10 s would be longer than the interval, which Prometheus rejects.
    printf 'global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n  - job_name: bpfproc\n'
    printf "    static_configs: [{targets: ['127.0.0.1:%s']}]\n" "$BPFPROC_PORT"
    for line in "$@"; do printf '    %s\n' "$line"; done
  } >"$E2E_TMP/prometheus.yml"
  spawn "$E2E_TMP/prometheus.log" "${E2E_OTHER_CPUS[@]}" prometheus \
    --config.file "$E2E_TMP/prometheus.yml" --storage.tsdb.path "$E2E_TMP/tsdb" \
    --web.listen-address "127.0.0.1:$port"
  PROMETHEUS_PID=$SPAWNED_PID
  # Its own URL needs none of the daemon's credentials.
  local saved=("${E2E_CURL_ARGS[@]}")
  E2E_CURL_ARGS=()
  wait_http "$PROMETHEUS_URL/-/ready" 60 "$PROMETHEUS_PID" "prometheus ($E2E_TMP/prometheus.log)"
  E2E_CURL_ARGS=("${saved[@]}")
}

# prom_query_json PROMQL FILE: the instant query's JSON answer from Prometheus' HTTP API in FILE;
# fails when the request or the query fails.
prom_query_json() {
  curl -s --max-time 10 -G "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$1" -o "$2" ||
    fail "Prometheus query failed (curl): $1"
  [[ $(json_eval 'd["status"]' <"$2") == '"success"' ]] ||
    fail "Prometheus query failed: $1: $(json_eval 'd.get("error")' <"$2")"
}

# prom_query PROMQL: the value of the single sample PROMQL returns, or "none"/"many:N".
prom_query() {
  prom_query_json "$1" "$E2E_TMP/query.json"
  json_eval '(d["data"]["result"][0]["value"][1] if len(d["data"]["result"]) == 1 else
              "none" if not d["data"]["result"] else "many:%d" % len(d["data"]["result"]))' <"$E2E_TMP/query.json" |
    tr -d '"'
}

# target_error: Prometheus' last scrape error for the daemon, for failure messages.
target_error() {
  curl -sf --max-time 10 "$PROMETHEUS_URL/api/v1/targets" | json_eval 'd["data"]["activeTargets"][0]["lastError"]'
}

# wait_scraped SECONDS: until up{job="bpfproc"} is 1 in Prometheus (it holds new targets back for
# ~5 s: discovery updates are throttled); fails with the last scrape error when time runs out.
wait_scraped() {
  local deadline=$((SECONDS + $1))
  until [[ $(prom_query 'up{job="bpfproc"}') == 1 ]]; do
    ((SECONDS < deadline)) ||
      fail "up{job=\"bpfproc\"} is $(prom_query 'up{job="bpfproc"}') after $1 s, expected 1; last scrape error: $(target_error)"
    sleep 0.5
  done
}
