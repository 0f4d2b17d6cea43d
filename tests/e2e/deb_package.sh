#!/usr/bin/env bash
# deb_package: the .deb that `cpack -G DEB` makes from the build tree installs, works and purges
# cleanly, on this host (CI: root on Debian 12).
#  - dpkg-deb -I: Depends has the shared libraries' packages (libbpf1, libmicrohttpd12, ...) and
#    adduser; conffiles are /etc/bpfproc/config.yml and /etc/default/bpfproc;
#  - dpkg-deb -c: the binary, the unit, the configs, the man page, the example web config, and
#    each dashboard and alert rule file of packaging/grafana and packaging/prometheus;
#  - dpkg -i: the bpfproc system user exists; the installed /usr/bin/bpfproc prints its version,
#    passes `check`, and, started with the installed config on a loopback port, serves /metrics;
#  - dpkg --purge: every file of the package and the unit's enablement links are gone.
# The host is left as it was, also on failure: the package is purged, and the bpfproc user is
# removed if this test made it. A host where bpfproc is already installed is refused.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(dirname "$BPFPROC")
[[ -f $build/CPackConfig.cmake ]] || fail "no CPackConfig.cmake in $build (the build tree of $BPFPROC)"
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/setup installs cmake and dpkg-dev)"
done
if dpkg-query -W -f='${Status}' bpfproc 2>/dev/null | grep -q 'installed'; then
  fail "the bpfproc package is already installed here; this test would replace and purge it"
fi
getent passwd bpfproc >/dev/null && user_existed=1 || user_existed=0

installed=0
on_exit() {
  local status=$?
  set +e
  if ((installed)); then
    [[ -n ${daemon_pid:-} ]] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    dpkg --purge bpfproc >"$E2E_TMP/purge-on-exit.log" 2>&1 || echo "warning [$E2E_NAME]: dpkg --purge bpfproc failed" >&2
  fi
  if ((!user_existed)) && getent passwd bpfproc >/dev/null; then
    userdel bpfproc 2>/dev/null
    getent group bpfproc >/dev/null && groupdel bpfproc 2>/dev/null
  fi
  (exit "$status")
  cleanup
}
trap on_exit EXIT

# 1. Build the package from the build tree, into a temp dir.
(cd "$E2E_TMP" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$E2E_TMP/deb") >"$E2E_TMP/cpack.log" 2>&1 ||
  fail "cpack -G DEB failed: $(tail -n 3 "$E2E_TMP/cpack.log" | tr '\n' ' ')"
debs=("$E2E_TMP"/deb/bpfproc_*.deb)
[[ ${#debs[@]} == 1 && -f ${debs[0]} ]] || fail "cpack made no bpfproc_*.deb: $(ls "$E2E_TMP/deb")"
deb=${debs[0]}
echo "measured: $(basename "$deb") is $(stat -c %s "$deb") bytes"

# 2. Its control data.
dpkg-deb -f "$deb" Depends >"$E2E_TMP/depends"
echo "measured: Depends: $(cat "$E2E_TMP/depends")"
tr ',' '\n' <"$E2E_TMP/depends" | awk '{ print $1 }' >"$E2E_TMP/depends.names"
for package in libbpf1 libmicrohttpd12 libgnutls30 libyaml-cpp0.7 libre2-9 libc6 libstdc++6 adduser; do
  grep -qxF "$package" "$E2E_TMP/depends.names" || fail "Depends lacks $package: $(cat "$E2E_TMP/depends")"
done
[[ $(dpkg-deb -f "$deb" Section) == net ]] || fail "Section is '$(dpkg-deb -f "$deb" Section)', expected net"
[[ -n $(dpkg-deb -f "$deb" Maintainer) && -n $(dpkg-deb -f "$deb" Description) ]] || fail "no Maintainer or Description"
[[ $(dpkg-deb -I "$deb" conffiles | sort | paste -sd ' ') == "/etc/bpfproc/config.yml /etc/default/bpfproc" ]] ||
  fail "conffiles are '$(dpkg-deb -I "$deb" conffiles | paste -sd ' ')'"
for script in postinst prerm postrm; do
  dpkg-deb -I "$deb" "$script" >/dev/null 2>&1 || fail "the package has no $script"
done
pass "control: Depends has the libraries' packages and adduser; conffiles; postinst, prerm, postrm"

# 3. Its files: the promised ones, and every dashboard and alert rule file in packaging/.
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$E2E_TMP/files"
expected=(/usr/bin/bpfproc /usr/lib/systemd/system/bpfproc.service /etc/bpfproc/config.yml /etc/default/bpfproc
  /usr/share/man/man8/bpfproc.8.gz /usr/share/doc/bpfproc/examples/web-config.yml)
for file in "$root"/packaging/grafana/*.json; do [[ -f $file ]] && expected+=("/usr/share/bpfproc/grafana/$(basename "$file")"); done
for file in "$root"/packaging/prometheus/*.yml; do
  [[ -f $file && $(basename "$file") != *test* ]] && expected+=("/usr/share/bpfproc/prometheus/$(basename "$file")")
done
for file in "${expected[@]}"; do
  grep -qx "$file" "$E2E_TMP/files" || fail "the package lacks $file"
done
pass "files: ${#expected[@]} expected ones are in the package ($(grep -vc '/$' "$E2E_TMP/files") files in all)"

# 4. Install it, and run the installed binary.
installed=1
dpkg -i "$deb" >"$E2E_TMP/install.log" 2>&1 || fail "dpkg -i failed: $(tail -n 3 "$E2E_TMP/install.log" | tr '\n' ' ')"
getent passwd bpfproc >/dev/null || fail "postinst made no bpfproc user"
[[ $(getent passwd bpfproc | cut -d: -f7) == */nologin || $(getent passwd bpfproc | cut -d: -f7) == /bin/false ]] ||
  fail "the bpfproc user has a login shell: $(getent passwd bpfproc)"
# deb-systemd-helper enables the unit also where systemd does not run (a chroot, an image build).
[[ -L /etc/systemd/system/multi-user.target.wants/bpfproc.service ]] || fail "postinst did not enable bpfproc.service"
cmp -s /etc/bpfproc/config.yml "$root/packaging/config.yml" || fail "/etc/bpfproc/config.yml is not packaging/config.yml"
/usr/bin/bpfproc --version >"$E2E_TMP/version" || fail "/usr/bin/bpfproc --version exited $?"
grep -q '^bpfproc version ' "$E2E_TMP/version" || fail "unexpected --version output: $(cat "$E2E_TMP/version")"
/usr/bin/bpfproc check >"$E2E_TMP/check" 2>&1 || fail "/usr/bin/bpfproc check exited $?: $(tail -n 3 "$E2E_TMP/check" | tr '\n' ' ')"
pass "installed: $(cat "$E2E_TMP/version"); user bpfproc; unit enabled; check passes"

BPFPROC=/usr/bin/bpfproc start_bpfproc --config.file=/etc/bpfproc/config.yml
daemon_pid=$BPFPROC_PID
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/installed.prom"
grep -q '^bpfproc_group_cpu_seconds_total{group="bpfproc",mode="user"}' "$E2E_TMP/installed.prom" ||
  fail "the installed daemon's /metrics has no CPU of its own group: $(grep -c '^bpfproc_group_cpu_seconds_total' "$E2E_TMP/installed.prom") CPU series"
pass "the installed binary serves /metrics with the installed config ($(grep -vc '^#' "$E2E_TMP/installed.prom") samples)"
stop "$daemon_pid"
daemon_pid=
[[ $STOPPED_STATUS == 0 ]] || fail "the installed bpfproc exited $STOPPED_STATUS on SIGTERM"

# 5. Purge: nothing of it stays.
dpkg --purge bpfproc >"$E2E_TMP/purge.log" 2>&1 || fail "dpkg --purge failed: $(tail -n 3 "$E2E_TMP/purge.log" | tr '\n' ' ')"
installed=0
left=()
while read -r file; do
  [[ $file == */ ]] && continue
  [[ -e $file || -L $file ]] && left+=("$file")
done <"$E2E_TMP/files"
for path in /etc/bpfproc /etc/systemd/system/multi-user.target.wants/bpfproc.service \
  /etc/systemd/system/bpfproc.service /var/lib/systemd/deb-systemd-helper-enabled/bpfproc.service.dsh-also \
  /var/lib/systemd/deb-systemd-helper-masked/bpfproc.service; do
  [[ -e $path || -L $path ]] && left+=("$path")
done
((${#left[@]} == 0)) || fail "left after dpkg --purge: ${left[*]}"
pass "dpkg --purge removes every file, the conffiles and the unit's enablement"
