#!/usr/bin/env bash
# config_commands: `bpfproc check-config FILE...` checks grouping and web config files without
# starting anything (0, or 2 with one file:line: reason line per bad file); `bpfproc show-config`
# prints the configuration in force as YAML, defaults filled in and password hashes redacted; the
# daemon serves the same at /config, behind the same basic auth as /metrics, and after a reload
# shows the new rules.
source "$(dirname "$0")/lib.sh"

readonly FIXTURES="$(cd "$(dirname "$0")/../fixtures" && pwd)"
readonly HASH='$2b$04$dR/J21ClGlkKz9JvCVDz/e4clSR/k3EPkkcjM.YIfKWOzP0UNCCzu'  # bcrypt of "s3cret"
readonly RULES="$E2E_TMP/rules.yml" WEB="$E2E_TMP/web.yml"
printf 'process_names:\n  - name: first\n    comm: [cfgburn]\n' >"$RULES"
printf "basic_auth_users:\n  prometheus: '%s'\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n" "$HASH" >"$WEB"
printf "tls_server_config:\n  cert_file: %s/tls/a.pem\n  key_file: %s/tls/a.key\n" "$FIXTURES" "$FIXTURES" >"$E2E_TMP/tls.yml"

# check-config: every good file is named with what it holds.
"$BPFPROC" check-config "$RULES" "$WEB" "$E2E_TMP/tls.yml" >"$E2E_TMP/checked" || fail "check-config of good files: exit $?"
grep -qx "$RULES: ok, grouping config: 1 rules" "$E2E_TMP/checked" || fail "$(cat "$E2E_TMP/checked")"
grep -qx "$WEB: ok, web config: plain HTTP, 1 basic auth users, 1 headers" "$E2E_TMP/checked" || fail "$(cat "$E2E_TMP/checked")"
grep -qx "$E2E_TMP/tls.yml: ok, web config: TLS, 0 basic auth users, 0 headers" "$E2E_TMP/checked" ||
  fail "$(cat "$E2E_TMP/checked")"
pass "check-config: $(wc -l <"$E2E_TMP/checked") good files named"

# ... and each bad one is one line: file, line, reason.
printf 'basic_auth_users:\n  prometheus: plaintext\n' >"$E2E_TMP/badweb.yml"
expect_exit 2 "^bpfproc: $E2E_TMP/badweb.yml:2: password of \"prometheus\" is not a bcrypt hash\$" \
  "$BPFPROC" check-config "$E2E_TMP/badweb.yml"
printf 'http_server_config:\n  headers:\n    Server: bpfproc\n' >"$E2E_TMP/badheader.yml"
expect_exit 2 "^bpfproc: $E2E_TMP/badheader.yml:3: HTTP header \"Server\" can not be configured" \
  "$BPFPROC" check-config "$E2E_TMP/badheader.yml"
printf "tls_server_config:\n  cert_file: %s/tls/a.pem\n  key_file: %s/tls/b.key\n" "$FIXTURES" "$FIXTURES" >"$E2E_TMP/mismatch.yml"
expect_exit 2 "b.key" "$BPFPROC" check-config "$E2E_TMP/mismatch.yml"
printf 'process_names:\n  - name: x\n    comm: [a]\nrecheck: true\n' >"$E2E_TMP/unknown.yml"
expect_exit 2 "^bpfproc: $E2E_TMP/unknown.yml:4: unknown key \"recheck\" ignored" \
  "$BPFPROC" check-config "$E2E_TMP/unknown.yml"
expect_exit 2 "^bpfproc: $E2E_TMP: cannot read" "$BPFPROC" check-config "$E2E_TMP"
# A bad file among good ones: the good ones are still named, and the exit is 2.
status=0
"$BPFPROC" check-config "$RULES" "$E2E_TMP/badweb.yml" >"$E2E_TMP/mixed" 2>"$E2E_TMP/mixed.err" || status=$?
((status == 2)) || fail "a bad file among good ones: exit $status"
grep -q "^$RULES: ok" "$E2E_TMP/mixed" || fail "the good file is not named: $(cat "$E2E_TMP/mixed")"
pass "a bad file among good ones: exit 2, the good one still named"

# show-config: YAML with every flag, the rules with their defaults, and no password hash.
"$BPFPROC" --config.file "$RULES" --web.config.file "$WEB" --memory.interval 7s show-config >"$E2E_TMP/shown.yml" ||
  fail "show-config: exit $?"
grep -q '\$2b\$' "$E2E_TMP/shown.yml" && fail "show-config shows a password hash"
python3 - "$E2E_TMP/shown.yml" "$RULES" <<'PY' || fail "show-config: $(cat "$E2E_TMP/shown.yml")"
import sys, yaml
shown = yaml.safe_load(open(sys.argv[1]))
flags, config, web = shown["flags"], shown["config"], shown["web_config"]
assert flags["memory.interval"] == "7s", flags
assert flags["collection.interval"] == "15s", flags          # a default, filled in
assert flags["config.file"] == sys.argv[2], flags
assert flags["collector.memory"] is True and flags["collector.runqueue-latency"] is False, flags
assert config["process_names"][0]["name"] == "first", config
assert config["children"] is True and config["kernel_threads"] is False, config
assert web["basic_auth_users"] == {"prometheus": "<secret>"}, web
assert web["http_server_config"] == {"http2": True, "headers": {"X-Frame-Options": "deny"}}, web
print("measured: show-config lists %d flags" % len(flags))
PY
pass "show-config: flags and defaults, the rules, the web config with <secret>"

# The daemon's /config: the same document, behind the same auth; a reload shows the new rules.
ln -s "$BPFPROC_TOOLS/burn" "$E2E_TMP/cfgburn"
E2E_CURL_ARGS=(-u prometheus:s3cret)
start_bpfproc --config.file "$RULES" --web.config.file "$WEB" --memory.interval 7s --no-collector.memory
code=$(curl -s -o /dev/null -w '%{http_code}' "$BPFPROC_URL/config")
[[ $code == 401 ]] || fail "/config without credentials: $code"
scrape "$BPFPROC_URL/config" "$E2E_TMP/served.yml"
curl -sf -u prometheus:s3cret -D "$E2E_TMP/headers" -o /dev/null "$BPFPROC_URL/config"
grep -qi '^X-Frame-Options: deny' "$E2E_TMP/headers" || fail "/config lacks the configured header: $(cat "$E2E_TMP/headers")"
scrape "$BPFPROC_URL/" "$E2E_TMP/landing.html"
grep -q 'href="/config"' "$E2E_TMP/landing.html" || fail "the landing page does not link /config"
python3 - "$E2E_TMP/shown.yml" "$E2E_TMP/served.yml" <<'PY' || fail "/config differs from show-config"
import sys, yaml
shown, served = (yaml.safe_load(open(path)) for path in sys.argv[1:3])
# Only the listen address differs: the test's daemon has its own port.
shown["flags"].pop("web.listen-address"); served["flags"].pop("web.listen-address")
shown["flags"].pop("collector.memory"); served["flags"].pop("collector.memory")
assert shown == served, (shown, served)
PY
pass "/config: 401 without credentials, the show-config document with them, linked from /"

printf 'process_names:\n  - name: second\n    comm: [cfgburn]\n' >"$RULES"
kill -HUP "$BPFPROC_PID"
deadline=$((SECONDS + 10))
until scrape "$BPFPROC_URL/config" "$E2E_TMP/reloaded.yml"; grep -q 'name: second' "$E2E_TMP/reloaded.yml"; do
  ((SECONDS < deadline)) || fail "/config after the reload: $(cat "$E2E_TMP/reloaded.yml")"
  sleep 0.2
done
pass "/config shows the reloaded rules"
