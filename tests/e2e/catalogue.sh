#!/usr/bin/env bash
# catalogue: the built-in catalogue of well-known programs.
#  (a) `bpfproc catalogue` lists it as a table (150 entries or more) or YAML, one group with
#      --group; an unknown group or format is one line and exit 2;
#  (b) a config with an unknown `use:` value is refused with file:line, exit 2;
#  (c) with `- use: catalogue` and --path.procfs at a copy of /proc in which live `sleep`
#      processes wear the comm, executable and command line of the programs listed in
#      tests/fixtures/catalogue/processes.tsv (47, of 46 catalogue entries), each is exported in
#      its group with its subgroup label (told from the host's own by their threads' name, with
#      --threads), one the
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
grep -q '^  - group: messaging$' "$E2E_TMP/messaging.yml" || fail "no messaging entry in $(head -5 "$E2E_TMP/messaging.yml")"
grep -q '^  - group: db$' "$E2E_TMP/messaging.yml" && fail "--group messaging listed db entries"
grep -q '^    subgroup: rabbitmq$' "$E2E_TMP/messaging.yml" || fail "rabbitmq is not in the messaging group"
pass "bpfproc catalogue: $entries entries; --group messaging --format yaml lists only messaging"
expect_exit 2 '^bpfproc: --group: unknown group "nosuch" \(groups: db,storage,web,' "$BPFPROC" catalogue --group nosuch
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
while IFS= read -r line; do
  [[ -z $line || $line == \#* ]] && continue
  # Fields split on a separator that is not whitespace to read, so that an empty one stays.
  IFS=$'\x1f' read -r group subgroup comm exe cmdline <<<"${line//$'\t'/$'\x1f'}"
  spawn "$E2E_TMP/sleep.log" sleep 1000
  pid=$SPAWNED_PID
  pids+=("$pid") groups+=("$group") subgroups+=("$subgroup")
  # The daemon takes comm from stat (the same string as the comm file): a copy of the process's
  # own stat once it runs sleep, with the comm replaced.
  for _ in $(seq 200); do [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sleep ]] && break; sleep 0.01; done
  stat=$(<"/proc/$pid/stat")
  [[ $stat == "$pid (sleep) "* ]] || fail "pid $pid did not become sleep: $stat"
  dir="$fake_proc/$pid"
  mkdir "$dir"
  printf '%s\n' "${stat/ (sleep) / ($comm) }" >"$dir/stat"
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
start_bpfproc --config.file "$E2E_TMP/rules.yml" --path.procfs "$fake_proc" --threads --series.limit 1000000 \
  --no-collector.memory --collection.interval 500ms --collection.max-age 0s

# Each fixture process is exported in its group with its subgroup. They are told apart from the
# host's own processes of the same programs by their threads' kernel name, `sleep` (--threads):
# every (group, subgroup) of the fixture must have exactly its count of `sleep` threads, and all
# of them together exactly one per fixture line (none went anywhere else).
declare -A want=()
catalogued=0  # fixture lines the catalogue knows
for index in "${!pids[@]}"; do
  if [[ -n ${subgroups[index]} ]]; then
    ((++catalogued))
    key="group=\"${groups[index]}\",subgroup=\"${subgroups[index]}\""
  else
    key="group=\"${groups[index]}\""
  fi
  want[$key]=$((${want[$key]:-0} + 1))
done
deadline=$((SECONDS + 60))
while :; do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/metrics.prom"
  wrong=()
  for key in "${!want[@]}"; do
    seen=$(series_value "bpfproc_thread_count{$key,thread=\"sleep\"}" "$E2E_TMP/metrics.prom")
    [[ $seen == "${want[$key]}" ]] || wrong+=("$key: ${seen:-none}, expected ${want[$key]}")
  done
  total=$(awk '/^bpfproc_thread_count\{.*thread="sleep"\}/ && /subgroup=/ { sum += $NF } END { print sum + 0 }' "$E2E_TMP/metrics.prom")
  ((${#wrong[@]} == 0 && total == catalogued)) && break
  ((SECONDS < deadline)) || { printf "%s\n" "${wrong[@]}" >&2; fail "${#wrong[@]} fixture groups wrong (first: ${wrong[0]:-none}); sleep threads in catalogue groups: $total, expected $catalogued"; }
  sleep 0.5
done
grep -q '^bpfproc_group_processes{group="myservice"} 1$' "$E2E_TMP/metrics.prom" ||
  fail "the process the catalogue does not know did not fall through to the next rule"
grep -q 'subgroup=""' "$E2E_TMP/metrics.prom" && fail "an empty subgroup label was exported"
# promtool's one remark on --threads' own family name (bpfproc_thread_count) is not this test's.
lint=$(promtool check metrics <"$E2E_TMP/metrics.prom" 2>&1 | grep -v '^bpfproc_thread_count non-histogram' || true)
[[ -z $lint ]] || fail "promtool check metrics: $(head -n 3 <<<"$lint")"
pass "${#pids[@]} fixture processes exported in their group and subgroup, one unknown to the catalogue named by the next rule"

scrape "$BPFPROC_URL/catalogue" "$E2E_TMP/served.yml"
"$BPFPROC" catalogue --format yaml >"$E2E_TMP/listed.yml"
cmp -s "$E2E_TMP/served.yml" "$E2E_TMP/listed.yml" || fail "/catalogue differs from bpfproc catalogue --format yaml"
pass "/catalogue serves what bpfproc catalogue --format yaml prints ($(wc -l <"$E2E_TMP/served.yml") lines)"
stop "$BPFPROC_PID"
