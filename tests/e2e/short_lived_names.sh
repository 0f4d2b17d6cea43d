#!/usr/bin/env bash
# short_lived_names: a process gone before /proc is read gets the group name /proc would have
# given it, for a rule on each template field.
#
# For each field there is one rule, selected by a marker argument: "sh -c 'read x' probe-FIELD".
# A long-lived reference of that command (its stdin a FIFO nobody writes) is named from /proc;
# then 100 copies that read EOF from /dev/null and exit within about a millisecond run in a loop.
# The drain reads their exec events long before any collection could read their /proc, so they
# are named from the kernel's records only: the exec event (comm, uid, argv) and, for {{.Cwd}},
# {{.Cgroups}} and {{.ExePath}}, the exec context record. All of them must land in the group of
# the reference, and no other group of that rule may appear. Everything runs in a directory whose
# name has a space and in a cgroup made for the test, so that Cwd and Cgroups differ from the
# daemon's own. The Username probes run as nobody (setpriv).
source "$(dirname "$0")/lib.sh"

readonly COPIES=100
readonly FIELDS=(comm exebase exefull username cwd cgroups matches matchname exepath)
command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed to run a probe as nobody"

cat >"$E2E_TMP/config.yml" <<'YAML'
process_names:
  - {name: "comm:{{.Comm}}", cmdline: ['^sh -c read x probe-comm$']}
  - {name: "exebase:{{.ExeBase}}", cmdline: ['^sh -c read x probe-exebase$']}
  - {name: "exefull:{{.ExeFull}}", cmdline: ['^sh -c read x probe-exefull$']}
  - {name: "username:{{.Username}}", cmdline: ['^sh -c read x probe-username$']}
  - {name: "cwd:{{.Cwd}}", cmdline: ['^sh -c read x probe-cwd$']}
  - {name: "cgroups:{{.Cgroups}}", cmdline: ['^sh -c read x probe-cgroups$']}
  - {name: "matches:{{.Matches}}", cmdline: ['^(?P<shell>\S+) -c (read) x (?P<probe>probe-matches)$']}
  - {name: "matchname:{{.Matches.shell}}/{{.Matches.probe}}", cmdline: ['^(?P<shell>\S+) -c read x (?P<probe>probe-matchname)$']}
  - {name: "exepath:{{.ExePath}}", cmdline: ['^sh -c read x probe-exepath$']}
YAML

make_cgroup probes
readonly CGROUP=$MADE_CGROUP
readonly WORKDIR="$E2E_TMP/work dir"
mkdir -p "$WORKDIR"
readonly FIFO="$E2E_TMP/never-written"
mkfifo "$FIFO"

# The command of FIELD's probes, as argv words.
probe_command() {
  local field=$1
  if [[ $field == username ]]; then
    printf '%s\n' setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'read x' "probe-$field"
  else
    printf '%s\n' sh -c 'read x' "probe-$field"
  fi
}

# in_place CMD...: runs CMD (by exec, so with this pid) in the test's cgroup and directory.
readonly IN_PLACE='echo $$ >"$1/cgroup.procs" && cd "$2" && shift 2 && exec "$@"'

# {{.Cwd}} can make a group per process (one per job directory): warned about at load.
readonly WARNING='the group name "cwd:{{.Cwd}}" can make one group per process'
output=$("$BPFPROC" check-config "$E2E_TMP/config.yml" 2>&1) || fail "check-config rejects a rule on each field: $output"
output=$("$BPFPROC" --config.file "$E2E_TMP/config.yml" once 2>&1 >/dev/null) || fail "once failed: $output"
grep -qF "$WARNING" <<<"$output" || fail "no warning at load for a {{.Cwd}} group name without --series.limit"

start_bpfproc --config.file "$E2E_TMP/config.yml" --series.limit 0
pass "bpfproc takes a rule on each field, and warns about {{.Cwd}}: ${FIELDS[*]}"

# References: read from /proc while they live. <> on the FIFO keeps its read end from ever
# seeing EOF (this process holds a write end too).
for field in "${FIELDS[@]}"; do
  mapfile -t command < <(probe_command "$field")
  spawn "$E2E_TMP/reference-$field.log" sh -c "$IN_PLACE"' <>"$0"' "$FIFO" "$CGROUP" "$WORKDIR" "${command[@]}"
done

# group_of FIELD FILE: "processes<TAB>exits<TAB>name" of each group of FIELD's rule.
groups_of() {
  local field=$1 file=$2
  join -t $'\t' -j 2 -a 1 -e 0 -o '1.1,2.1,0' \
    <(label_values bpfproc_group_processes group "$file" | awk -F'\t' -v p="$field:" 'index($2, p) == 1' | sort -t $'\t' -k2,2) \
    <(label_values bpfproc_group_process_exits_total group "$file" | awk -F'\t' -v p="$field:" 'index($2, p) == 1' | sort -t $'\t' -k2,2)
}

deadline=$((SECONDS + 20))
while :; do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/references.prom"
  ready=0
  for field in "${FIELDS[@]}"; do
    [[ $(groups_of "$field" "$E2E_TMP/references.prom" | awk -F'\t' '$1 == 1' | wc -l) == 1 ]] && ((++ready))
  done
  ((ready == ${#FIELDS[@]})) && break
  ((SECONDS < deadline)) || fail "only $ready of ${#FIELDS[@]} references are in a group of their own after 20 s"
  sleep 0.2
done

# What /proc says of the references, which their names must show.
reference_pid=$(pgrep -f -x 'sh -c read x probe-cgroups' | head -n 1)
cgroups="[$(cut -d: -f3- "/proc/$reference_pid/cgroup" | paste -sd ' ')]"
declare -A expected=(
  [comm]="comm:sh" [exebase]="exebase:sh" [exefull]="exefull:sh" [username]="username:nobody"
  [cwd]="cwd:$WORKDIR" [cgroups]="cgroups:$cgroups"
  [matches]="matches:map[:read probe:probe-matches shell:sh]" [matchname]="matchname:sh/probe-matchname"
  [exepath]="exepath:$(readlink "/proc/$reference_pid/exe")"
)
for field in "${FIELDS[@]}"; do
  name=$(groups_of "$field" "$E2E_TMP/references.prom" | cut -f3)
  [[ $name == "${expected[$field]}" ]] || fail "the long-lived $field probe is in '$name', expected '${expected[$field]}'"
done
pass "each long-lived reference is named from /proc as process-exporter would name it"

# The short-lived copies, from one loop per field running where the references run.
started=$SECONDS
loops=()
for field in "${FIELDS[@]}"; do
  mapfile -t command < <(probe_command "$field")
  spawn "$E2E_TMP/copies-$field.log" sh -c "$IN_PLACE" in_place "$CGROUP" "$WORKDIR" \
    sh -c 'i=0; while [ $i -lt "$0" ]; do "$@" </dev/null; i=$((i + 1)); done' "$COPIES" "${command[@]}"
  loops+=("$SPAWNED_PID")
done
wait "${loops[@]}"
echo "    $((COPIES * ${#FIELDS[@]})) short-lived probes ran in $((SECONDS - started)) s"

# Their exits are held until their final switch, then drained every 100 ms.
deadline=$((SECONDS + 10))
while :; do
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/after.prom"
  problems=()
  for field in "${FIELDS[@]}"; do
    groups=$(groups_of "$field" "$E2E_TMP/after.prom")
    exits=$(awk -F'\t' -v name="${expected[$field]}" '$3 == name { print $2 }' <<<"$groups")
    others=$(awk -F'\t' -v name="${expected[$field]}" '$3 != name { printf "%s\"%s\" (%s exits)", sep, $3, $2; sep = ", " }' <<<"$groups")
    [[ ${exits:-0} == "$COPIES" && -z $others ]] ||
      problems+=("$field: ${exits:-0} of $COPIES exits in \"${expected[$field]}\"${others:+; elsewhere: $others}")
  done
  ((${#problems[@]} == 0)) && break
  ((SECONDS < deadline)) || fail "short-lived probes named otherwise than their references: $(printf '%s; ' "${problems[@]}")"
  sleep 0.2
done
pass "$COPIES short-lived probes per field land in their reference's group: ${FIELDS[*]}"
grep -E '^bpfproc_exporter_events_lost_total\{source="(ringbuf_full|exec_context_truncated)"\}' "$E2E_TMP/after.prom" |
  sed 's/^/    /'
