#!/usr/bin/env bash
# hostile_names: no process name can make the exposition unparseable.
#
# Any user can name a process anything: comm is the basename of the exec'd path, up to 15 bytes,
# any bytes but '/' and NUL. With the default config (one group per comm), that name becomes a
# label value. Prometheus rejects a whole scrape (target down, "invalid UTF-8 label value") if one
# label value is not UTF-8, so one such process would blind the monitoring of the whole host.
# Runs `burn 0` as q"b\s<newline>x (needs escaping) and as bad<0xff><0xfe>x (not UTF-8), then:
# promtool must accept the exposition, and each process must be counted in a group of its own.
source "$(dirname "$0")/lib.sh"

escaped_name=$'q"b\\s\nx'
non_utf8_name=$'bad\xff\xfex'
for name in "$escaped_name" "$non_utf8_name"; do
  ln -s "$BPFPROC_TOOLS/burn" "$E2E_TMP/$name"
  spawn "$E2E_TMP/burn-$(printf '%s' "$name" | od -An -tx1 | tr -d ' \n').log" "$E2E_TMP/$name" 0
done

start_bpfproc
wait_series 'bpfproc_group_processes{group="q\"b\\s\nx"}' 1 10
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/metrics.prom"
pass "q\"b\\s<newline>x is escaped as the text format says"

output=$(promtool check metrics <"$E2E_TMP/metrics.prom" 2>&1) && [[ -z $output ]] ||
  fail "promtool rejects the exposition when a process is named bad<0xff><0xfe>x: $(head -n 1 <<<"$output")"
# The non-UTF-8 bytes may be replaced or escaped, but the group must be there, named bad...x.
LC_ALL=C grep -aEq '^bpfproc_group_processes\{group="bad[^"]*x"\} 1$' "$E2E_TMP/metrics.prom" ||
  fail "no bpfproc_group_processes 1 for a group named after the process bad<0xff><0xfe>x"
pass "a process named bad<0xff><0xfe>x leaves the exposition valid"
