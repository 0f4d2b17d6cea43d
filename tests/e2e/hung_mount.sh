#!/usr/bin/env bash
# hung_mount: a mount point whose statfs(2) hangs (tools/hangfs, a FUSE filesystem standing in
# for a hard NFS mount whose server is gone) never stalls collection.
#  (a) host.filesystem gives up on it after --collector.host.filesystem.mount-timeout: it is
#      served with node_filesystem_device_error 1, the other mount points keep their figures,
#      collections go on, and the log says so once.
#  (b) it is not probed again while that call hangs (hangfs counts no second caller: the figures
#      of (c) come only after the release), and once the call returns it is measured again with
#      the figures hangfs gives.
source "$(dirname "$0")/lib.sh"

[[ -c /dev/fuse ]] || fail "/dev/fuse is missing: this test needs FUSE to make a mount point that hangs"
mount_point="$E2E_TMP/hung"
mkdir "$mount_point"
spawn "$E2E_TMP/hangfs.log" "$BPFPROC_TOOLS/hangfs" "$mount_point"
hangfs_pid=$SPAWNED_PID
# Released and lazily unmounted before cleanup kills hangfs, so no process is left waiting on it.
e2e_on_exit() {
  kill -USR1 "$hangfs_pid" 2>/dev/null
  umount -l "$mount_point" 2>/dev/null
}
for _ in $(seq 50); do grep -q " $mount_point fuse.hangfs " /proc/self/mounts && break; sleep 0.1; done
grep -q " $mount_point fuse.hangfs " /proc/self/mounts || fail "hangfs did not mount $mount_point ($(cat "$E2E_TMP/hangfs.log"))"

# ---- (a)
start_bpfproc --collector.host.filesystem --collector.host.filesystem.mount-timeout 1s --collection.interval 1s
labels="device=\"hangfs\",fstype=\"fuse.hangfs\",mountpoint=\"$mount_point\""
wait_series "node_filesystem_device_error{$labels}" 1 30
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/hung.prom"
[[ -z $(series_value "node_filesystem_size_bytes{$labels}" "$E2E_TMP/hung.prom") ]] ||
  fail "the hung mount point has a size"
root_size=$(grep -E '^node_filesystem_size_bytes\{[^}]*mountpoint="/"' "$E2E_TMP/hung.prom" | awk '{ print $2 }')
[[ -n $root_size ]] || fail "the root filesystem lost its size while another mount point hangs"
collections() {
  scrape "$BPFPROC_URL/metrics" "$E2E_TMP/count.prom"
  series_value 'bpfproc_exporter_collector_duration_seconds_count{collector="host.filesystem"}' "$E2E_TMP/count.prom"
}
first=$(collections)
# Without the timeout no collection would end again; with it, one per interval goes on.
deadline=$((SECONDS + 30))
until (($(collections) >= first + 3)); do
  ((SECONDS < deadline)) || fail "host.filesystem ran $(($(collections) - first)) times in 30 s while a mount hangs"
  sleep 0.5
done
warnings=$(grep -c "statfs $mount_point did not return within 1000 ms" "$BPFPROC_LOG" || true)
[[ $warnings == 1 ]] || fail "the log has $warnings warnings of the hung statfs, expected 1"
pass "a hung statfs: device_error 1, / still measured ($root_size bytes), collections go on, one warning"

# ---- (b)
kill -USR1 "$hangfs_pid"
wait_series "node_filesystem_size_bytes{$labels}" 4096000 30
scrape "$BPFPROC_URL/metrics" "$E2E_TMP/back.prom"
for check in "node_filesystem_device_error 0" "node_filesystem_free_bytes 2048000" \
  "node_filesystem_avail_bytes 1638400" "node_filesystem_files 100" "node_filesystem_files_free 50"; do
  read -r family want <<<"$check"
  seen=$(series_value "$family{$labels}" "$E2E_TMP/back.prom")
  [[ $seen == "$want" ]] || fail "$family of the mount point back is '${seen:-absent}', expected $want"
done
grep -q "statfs $mount_point returned at last" "$BPFPROC_LOG" || fail "the log does not say the statfs returned"
pass "once the statfs returns, the mount point is measured again (4096000 bytes, 100 inodes)"
