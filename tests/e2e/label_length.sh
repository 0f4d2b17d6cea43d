#!/usr/bin/env bash
# label_length: a group name taken from a command line cannot blow up the exposition.
#
# Any user sets their own command line, up to about 2 MiB. A config that copies it into the group
# name ({{.Matches.NAME}} over the whole cmdline, a real process-exporter pattern) would then put
# it in every series of that group: one process with a 1 MiB command line made a 36.7 MB scrape.
# --label.max-length (default 256 bytes) cuts the name and counts the cut.
source "$(dirname "$0")/lib.sh"

ln -s "$BPFPROC_TOOLS/burn" "$E2E_TMP/longcmd"
cat >"$E2E_TMP/config.yml" <<'YAML'
process_names:
  - name: "{{.Matches.all}}"
    comm: [longcmd]
    cmdline: ['(?P<all>.*)']
YAML
start_bpfproc --config.file "$E2E_TMP/config.yml"

chunk=$(head -c 131071 /dev/zero | tr '\0' x)  # the kernel's limit for one argument, less its NUL
spawn "$E2E_TMP/longcmd.log" "$E2E_TMP/longcmd" 0 "$chunk" "$chunk" "$chunk" "$chunk" "$chunk" "$chunk" "$chunk" "$chunk"
for _ in $(seq 50); do  # until the background shell has exec'd it
  cmdline_bytes=$(wc -c <"/proc/$SPAWNED_PID/cmdline")
  ((cmdline_bytes > 1000000)) && break
  sleep 0.1
done
((cmdline_bytes > 1000000)) || fail "the command line is only $cmdline_bytes bytes"

wait_series bpfproc_exporter_labels_truncated_total 1 15
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/metrics.prom"
bytes=$(wc -c <"$E2E_TMP/metrics.prom")
((bytes < 100000)) || fail "the exposition is $bytes bytes with one $cmdline_bytes-byte command line"
line=$(grep "^bpfproc_group_processes{group=\"$E2E_TMP/longcmd 0 xxx" "$E2E_TMP/metrics.prom") ||
  fail "no group named after the long command line"
label=${line#*group=\"}
label=${label%%\"*}
((${#label} <= 256)) || fail "the group name is ${#label} bytes, above --label.max-length 256"
[[ ${line##* } == 1 ]] || fail "the long command line's process is not counted in its group: $line"
output=$(promtool check metrics <"$E2E_TMP/metrics.prom" 2>&1) && [[ -z $output ]] ||
  fail "promtool rejects the exposition: $(head -n 1 <<<"$output")"
pass "a $cmdline_bytes-byte command line makes a ${#label}-byte group name and a $bytes-byte exposition"

