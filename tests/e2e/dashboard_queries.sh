#!/usr/bin/env bash
# dashboard_queries: every query of packaging/grafana/bpfproc.json runs, and returns data, against
# a real Prometheus that scrapes a real daemon with a known workload.
#
# bpfproc runs with --collector.runqueue-latency (the heatmap and p99 panels need it) and
# --memory.interval 1s (USS, PSS and RSS of processes that start after it); `burn 0` is group
# "burn", every other process a group named after its comm. Prometheus scrapes it every second.
# Each panel target's expr has Grafana's variables replaced as Grafana would send them: $job,
# $instance, $group as a multi-value regex of two groups, $__rate_interval (4 scrape intervals),
# $__interval, $__range, ... Each query then goes through Prometheus' /api/v1/query and must
# succeed with at least one series and one value that is not NaN. The template variables'
# label_values() queries must find values too. Every query and its result count are printed.
source "$(dirname "$0")/lib.sh"

dashboard=${BPFPROC_DASHBOARD:-$(dirname "$0")/../../packaging/grafana/bpfproc.json}
[[ -f $dashboard ]] || fail "no dashboard at $dashboard"

burn_comm
cat >"$E2E_TMP/bpfproc.yml" <<EOF2
process_names:
  - {name: burn, comm: [$BURN_COMM]}
  - {name: "{{.Comm}}", cmdline: [".+"]}
EOF2
start_bpfproc --config.file "$E2E_TMP/bpfproc.yml" --collector.runqueue-latency --memory.interval 1s
start_burn burn
start_prometheus
wait_scraped 30
started=$SECONDS
# Memory readings of both groups the queries select, and a few rate windows of scrapes.
deadline=$((SECONDS + 20))
until [[ $(prom_query 'count(bpfproc_group_memory_bytes{group=~"burn|prometheus", kind="uss"})') == 2 ]]; do
  ((SECONDS < deadline)) || fail "no USS of groups burn and prometheus in Prometheus after 20 s"
  sleep 0.5
done
sleep 6
range=$((SECONDS - started))
pass "Prometheus has ${range}s of 1 s scrapes of bpfproc (up = 1, USS of burn and prometheus)"

python3 - "$dashboard" "$PROMETHEUS_URL" "127.0.0.1:$BPFPROC_PORT" "$range" <<'PY' || fail "a dashboard query failed (above)"
import json, math, re, sys, urllib.parse, urllib.request

dashboard_path, prometheus, instance, range_seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
dashboard = json.load(open(dashboard_path))
# What Grafana sends for each variable: a multi-value selection as (a|b), the rate interval as
# max(4 x scrape interval, interval + scrape interval) with 1 s scrapes.
values = {
    "job": "bpfproc", "instance": instance, "group": "(burn|prometheus)", "datasource": "prometheus",
    "__rate_interval": "4s", "__interval": "1s", "__interval_ms": "1000",
    "__range": f"{range_seconds}s", "__range_s": str(range_seconds), "__range_ms": str(range_seconds * 1000),
}
variable = re.compile(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)(?::\w+)?\]\]|\$(\w+)")
failures = []

def substitute(expr):
    def value(match):
        name = match.group(1) or match.group(2) or match.group(3)
        if name not in values:
            failures.append(f"unknown variable ${name} in: {expr}")
            return match.group(0)
        return values[name]
    return variable.sub(value, expr)

def query(expr):
    url = prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        answer = json.load(urllib.request.urlopen(url, timeout=10))
    except urllib.error.HTTPError as error:  # 400: Prometheus could not parse or run it
        answer = json.load(error)
    if answer["status"] != "success":
        return None, answer.get("error")
    return answer["data"]["result"], None

def check(what, expr):
    result, error = query(expr)
    if error is not None:
        failures.append(f"{what}: error: {error}: {expr}")
        print(f"ERROR     {what}: {expr}: {error}")
        return
    numbers = [float(series["value"][1]) for series in result]
    finite = sum(1 for number in numbers if not math.isnan(number))
    print(f"{len(result):3} series {what}: {expr}")
    if finite == 0:
        failures.append(f"{what}: no data ({len(result)} series, none with a number): {expr}")

def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))

targets = 0
for panel in panels(dashboard["panels"]):
    for target in panel.get("targets", []):
        targets += 1
        if target.get("datasource", {}).get("uid") != "${datasource}":
            failures.append(f"panel {panel['title']!r} target {target['refId']}: datasource is not $datasource")
        check(f"{panel['title']} [{target['refId']}]", substitute(target["expr"]))

# Template variables: label_values(SELECTOR, LABEL) must list values.
variables = 0
for template in dashboard["templating"]["list"]:
    if template["type"] != "query":
        continue
    variables += 1
    match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", template["query"])
    if not match:
        failures.append(f"variable {template['name']}: not a label_values() query: {template['query']}")
        continue
    check(f"variable ${template['name']}", f"count by ({match.group(2)}) ({substitute(match.group(1))})")

for failure in failures:
    print("FAILED:", failure, file=sys.stderr)
if targets == 0:
    print("FAILED: the dashboard has no panel targets", file=sys.stderr)
    sys.exit(1)
print(f"{targets} panel queries and {variables} variable queries run")
sys.exit(1 if failures else 0)
PY
pass "every query of $(basename "$dashboard") returns data"
