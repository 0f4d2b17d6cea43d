#!/usr/bin/env bash
# web_config_fixtures: every web config in tests/fixtures/web_config, valid and invalid, through
# `bpfproc check-config` from another directory (relative certificate paths are the config
# file's, as exporter-toolkit takes them), each with the outcome expected.tsv gives it. A fixture
# without an expectation, or an expectation without its file, fails too.
source "$(dirname "$0")/lib.sh"

readonly DIR="$(cd "$(dirname "$0")/../fixtures/web_config" && pwd)"
declare -A expected
while IFS=$'\t' read -r file outcome; do
  [[ -z $file || $file == \#* ]] && continue
  [[ -f $DIR/$file ]] || fail "expected.tsv names $file, which does not exist"
  expected[$file]=$outcome
done <"$DIR/expected.tsv"
for path in "$DIR"/*.yml; do
  [[ -n ${expected[$(basename "$path")]:-} ]] || fail "$(basename "$path") has no line in expected.tsv"
done

cd "$E2E_TMP"  # nowhere near the certificates
good=0 bad=0
for file in "${!expected[@]}"; do
  outcome=${expected[$file]}
  if [[ $outcome == ok ]]; then
    "$BPFPROC" check-config "$DIR/$file" >"$E2E_TMP/out" 2>"$E2E_TMP/err" ||
      fail "$file: exit $?, expected 0: $(cat "$E2E_TMP/err")"
    grep -q "^$DIR/$file: ok, web config" "$E2E_TMP/out" || fail "$file: $(cat "$E2E_TMP/out")"
    good=$((good + 1))
  else
    expect_exit 2 "^bpfproc: .*$outcome" "$BPFPROC" check-config "$DIR/$file" >/dev/null
    bad=$((bad + 1))
  fi
done
pass "$good valid web configs accepted, $bad invalid ones refused with the expected line"
