#!/usr/bin/env bash
# man_page: packaging/bpfproc.8 documents what the binary offers: every subcommand and every
# long flag that `bpfproc --help` and each subcommand's --help list appear in it, and groff
# formats it without a warning. A flag added without its line in the man page fails here.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
page="$root/packaging/bpfproc.8"
[[ -f $page ]] || fail "packaging/bpfproc.8 is missing"
# The page's text as typed: roff writes a hyphen-minus as \-.
sed 's/\\-/-/g' "$page" >"$E2E_TMP/page.txt"

# subcommands HELP_FILE: the names listed under "Subcommands:" in CLI11's help.
subcommands() { awk 'toupper($0) ~ /^SUBCOMMANDS:/ { on = 1; next } on && /^ +[a-z]/ { print $1 } on && /^$/ { on = 0 }' "$1"; }
# long_flags HELP_FILE: every --flag (and its --no- form) in a help text.
long_flags() { grep -oE -- '--[a-z][a-z0-9.-]*[a-z0-9]' "$1" | sort -u; }

"$BPFPROC" --help >"$E2E_TMP/help.txt" || fail "bpfproc --help exited $?"
mapfile -t commands < <(subcommands "$E2E_TMP/help.txt")
((${#commands[@]} >= 4)) || fail "bpfproc --help lists ${#commands[@]} subcommands; the parser of its help is broken"
missing=()
flags=0
for command in "" "${commands[@]}"; do
  if [[ -n $command ]]; then
    grep -qE "^\.B(I)? $command\b|^\.B $command$" "$E2E_TMP/page.txt" || missing+=("subcommand $command")
    "$BPFPROC" "$command" --help >"$E2E_TMP/help-$command.txt" 2>&1 || true
    help="$E2E_TMP/help-$command.txt"
  else
    help="$E2E_TMP/help.txt"
  fi
  while read -r flag; do
    ((++flags))
    grep -qF -- "$flag" "$E2E_TMP/page.txt" || missing+=("${command:-bpfproc} $flag")
  done < <(long_flags "$help")
done
((${#missing[@]} == 0)) || fail "not in packaging/bpfproc.8: ${missing[*]}"
pass "bpfproc.8 documents the ${#commands[@]} subcommands (${commands[*]}) and $flags long flags of --help"

if command -v groff >/dev/null; then
  warnings=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
  [[ -z $warnings ]] || fail "groff warns about bpfproc.8: $(head -n 3 <<<"$warnings" | tr '\n' ' ')"
  pass "groff formats bpfproc.8 without a warning"
else
  fail "groff is missing (scripts/setup installs groff-base)"
fi
for section in NAME SYNOPSIS DESCRIPTION SUBCOMMANDS FLAGS SIGNALS FILES "EXIT STATUS"; do
  grep -qx "\.SH \"\?$section\"\?" "$page" || fail "bpfproc.8 has no $section section"
done
pass "bpfproc.8 has the sections NAME … EXIT STATUS, SIGNALS and FILES"
