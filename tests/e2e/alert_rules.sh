#!/usr/bin/env bash
# alert_rules: packaging/prometheus/alerts.yml is valid and every alert in it is unit-tested.
#  - promtool check rules accepts alerts.yml;
#  - promtool test rules passes alerts_test.yml;
#  - every alert of alerts.yml has a firing case in alerts_test.yml: an alert_rule_test with its
#    alertname and a non-empty exp_alerts, so that a new alert cannot go in untested.
# Starts no daemon, so it needs no root.
E2E_UNPRIVILEGED=1
source "$(dirname "$0")/lib.sh"

rules_dir=${BPFPROC_ALERT_RULES_DIR:-$(dirname "$0")/../../packaging/prometheus}
rules=$rules_dir/alerts.yml
tests=$rules_dir/alerts_test.yml
[[ -f $rules && -f $tests ]] || fail "no $rules or $tests"

output=$(promtool check rules "$rules" 2>&1) || fail "promtool check rules $rules: $(tr '\n' ' ' <<<"$output")"
pass "promtool check rules: $(grep -o '[0-9]* rules found' <<<"$output")"

# promtool resolves rule_files against the test file's directory.
output=$(promtool test rules "$tests" 2>&1) || fail "promtool test rules $tests: $(tr '\n' ' ' <<<"$output")"
pass "promtool test rules $(basename "$tests"): SUCCESS"

# Every alert against the alertnames that have at least one expected firing alert.
python3 - "$rules" "$tests" <<'PY' || fail "an alert of $rules has no firing case in $tests"
import sys, yaml
rules, tests = (yaml.safe_load(open(path)) for path in sys.argv[1:3])
alerts = [rule["alert"] for group in rules["groups"] for rule in group["rules"] if "alert" in rule]
fired = {case["alertname"] for test in tests["tests"] for case in test.get("alert_rule_test", [])
         if case.get("exp_alerts")}
untested = [alert for alert in alerts if alert not in fired]
for alert in untested:
    print(f"alert {alert} has no alert_rule_test with exp_alerts", file=sys.stderr)
if untested or not alerts:
    sys.exit(1)
print(f"{len(alerts)} alerts, each with a firing case: {', '.join(alerts)}")
PY
pass "every alert of $(basename "$rules") has a firing case"
