#!/usr/bin/env bash
# catalogue: the built-in catalogue of well-known programs.
#  (a) `bpfproc catalogue` lists it as a table (150 entries or more) or YAML, one group with
#      --group; an unknown group or format is one line and exit 2;
#  (b) a config with an unknown `use:` value is refused with file:line, exit 2;
#  (c) with `- use: catalogue` and --path.procfs at a copy of /proc in which live `sleep`
#      processes wear the comm, executable and command line of the programs listed in
#      tests/fixtures/catalogue/processes.tsv (47, of 46 catalogue entries), each is exported in
#      its group with its subgroup label (checked per pid, through --process.top-n), one the
#      catalogue does not know falls through to the next rule (no subgroup label), and /catalogue
#      serves the same YAML as `bpfproc catalogue --format yaml`.
source "$(dirname "$0")/lib.sh"

readonly FIXTURE="$(cd "$(dirname "$0")/../fixtures/catalogue" && pwd)/processes.tsv"

# (a) The listing.
"$BPFPROC" catalogue >"$E2E_TMP/table" || fail "bpfproc catalogue: exit $?"
[[ $(head -1 "$E2E_TMP/table") == GROUP*SUBGROUP*MATCHERS ]] || fail "table header: $(head -1 "$E2E_TMP/table")"
entries=$(($(wc -l <"$E2E_TMP/table") - 1))
((entries >= 150)) || fail "the catalogue lists $entries entries, fewer than 150"
"$BPFPROC" catalogue --group messaging --format yaml >"$E2E_TMP/messaging.yml" || fail "catalogue --group messaging: exit $?"
grep -q '^- group: messaging$' "$E2E_TMP/messaging.yml" || fail "no messaging entry in $(head -5 "$E2E_TMP/messaging.yml")"
grep -q '^- group: db$' "$E2E_TMP/messaging.yml" && fail "--group messaging listed db entries"
grep -q '^  subgroup: rabbitmq$' "$E2E_TMP/messaging.yml" || fail "rabbitmq is not in the messaging group"
pass "bpfproc catalogue: $entries entries; --group messaging --format yaml lists only messaging"
expect_exit 2 '^bpfproc: --group: unknown group "nosuch" \(groups: db, ' "$BPFPROC" catalogue --group nosuch
expect_exit 2 '^bpfproc: --format: unknown format "json" \(expected table or yaml\)$' "$BPFPROC" catalogue --format json

# (b) An unknown use: value, in check-config and at start.
printf 'process_names:\n  - comm: [x]\n  - use: catalog\n' >"$E2E_TMP/bad-use.yml"
expect_exit 2 "^bpfproc: $E2E_TMP/bad-use.yml:3: unknown use: value \"catalog\" \\(expected catalogue\\)\$" \
  "$BPFPROC" check-config "$E2E_TMP/bad-use.yml"
expect_exit 2 "$E2E_TMP/bad-use.yml:3: unknown use: value \"catalog\"" \
  "$BPFPROC" --config.file "$E2E_TMP/bad-use.yml" --web.listen-address "127.0.0.1:$(free_port)"

# (c) One live process per fixture line, dressed up in a copy of /proc.
fake_proc="$E2E_TMP/proc"
mkdir "$fake_proc"
pids=() groups=() subgroups=()
while IFS=$'\t' read -r group subgroup comm exe cmdline; do
  [[ -z $group || $group == \#* ]] && continue
  spawn "$E2E_TMP/sleep.log" sleep 1000
  pids+=("$SPAWNED_PID") groups+=("$group") subgroups+=("$subgroup")
  dir="$fake_proc/$SPAWNED_PID"
  mkdir "$dir"
  printf '%s\n' "$comm" >"$dir/comm"
  read -r -a argv <<<"$cmdline"
  printf '%s\0' "${argv[@]}" >"$dir/cmdline"
  ln -s "$exe" "$dir/exe"  # readlink is all the daemon does with it
done <"$FIXTURE"
((${#pids[@]} >= 30)) || fail "only ${#pids[@]} fixture processes"
# Everything else is the live /proc, through links.
for entry in /proc/*; do
  name=${entry#/proc/}
  if [[ -d $fake_proc/$name ]]; then
    for file in "$entry"/*; do [[ -e $fake_proc/$name/${file##*/} || -L $fake_proc/$name/${file##*/} ]] || ln -s "$file" "$fake_proc/$name/"; done
  else
    ln -s "$entry" "$fake_proc/$name"
  fi
done
printf 'process_names:\n  - use: catalogue\n  - name: "{{.Comm}}"\n    cmdline: [.+]\n' >"$E2E_TMP/rules.yml"
start_bpfproc --config.file "$E2E_TMP/rules.yml" --path.procfs "$fake_proc" --process.top-n 1000 --series.limit 1000000 \
  --memory.interval 200ms --collection.interval 500ms --collection.max-age 0s

# Each pid is exported as a member of its group, with its subgroup (USS makes every sleeping member
# one of the top N): the series of that pid must carry exactly the expected labels.
labels_of() {
  local index=$1
  if [[ -n ${subgroups[index]} ]]; then
    echo "group=\"${groups[index]}\",subgroup=\"${subgroups[index]}\",pid=\"${pids[index]}\","
  else
    echo "group=\"${groups[index]}\",pid=\"${pids[index]}\","
  fi
}
deadline=$((SECONDS + 60))
while :; do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/metrics.prom"
  missing=()
  for index in "${!pids[@]}"; do
    grep -q "^bpfproc_process_memory_bytes{$(labels_of "$index")" "$E2E_TMP/metrics.prom" || missing+=("$index")
  done
  ((${#missing[@]} == 0)) && break
  if ((SECONDS >= deadline)); then
    index=${missing[0]}
    fail "${#missing[@]} fixture processes not exported as expected; first: pid ${pids[index]} wanted $(labels_of "$index") got: $(grep "pid=\"${pids[index]}\"" "$E2E_TMP/metrics.prom" | head -2)"
  fi
  sleep 0.5
done
for index in "${!pids[@]}"; do
  # ... and nowhere else: one group per pid.
  groups_seen=$(grep '^bpfproc_process_memory_bytes{' "$E2E_TMP/metrics.prom" | grep -c "pid=\"${pids[index]}\",.*kind=\"uss\"")
  ((groups_seen == 1)) || fail "pid ${pids[index]} is in $groups_seen groups"
  if [[ -n ${subgroups[index]} ]]; then
    value=$(series_value "bpfproc_group_processes{group=\"${groups[index]}\",subgroup=\"${subgroups[index]}\"}" "$E2E_TMP/metrics.prom")
    [[ -n $value && $value -ge 1 ]] || fail "bpfproc_group_processes of ${groups[index]}/${subgroups[index]} is '$value'"
  fi
done
grep -q '^bpfproc_group_processes{group="myservice"} 1$' "$E2E_TMP/metrics.prom" ||
  fail "the process the catalogue does not know did not fall through to the next rule"
grep -q 'subgroup=""' "$E2E_TMP/metrics.prom" && fail "an empty subgroup label was exported"
lint=$(promtool check metrics <"$E2E_TMP/metrics.prom" 2>&1) || fail "promtool check metrics: $(head -n 3 <<<"$lint")"
[[ -z $lint ]] || fail "promtool check metrics: $(head -n 3 <<<"$lint")"
pass "${#pids[@]} fixture processes exported in their group and subgroup, one unknown to the catalogue named by the next rule"

scrape "$BPFPROC_URL/catalogue" "$E2E_TMP/served.yml"
"$BPFPROC" catalogue --format yaml >"$E2E_TMP/listed.yml"
cmp -s "$E2E_TMP/served.yml" "$E2E_TMP/listed.yml" || fail "/catalogue differs from bpfproc catalogue --format yaml"
pass "/catalogue serves what bpfproc catalogue --format yaml prints ($(wc -l <"$E2E_TMP/served.yml") lines)"
stop "$BPFPROC_PID"
