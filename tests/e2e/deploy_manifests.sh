#!/usr/bin/env bash
# deploy_manifests: packaging/Dockerfile and packaging/kubernetes/daemonset.yml have the shape the
# README promises. No container engine or cluster runs here, so this reads them:
#  - the DaemonSet: hostPID, capabilities added [BPF, PERFMON, SYS_PTRACE, DAC_READ_SEARCH] and
#    ALL dropped, a read-only root file system, /sys/kernel/btf and /proc mounted read-only from
#    the host, a liveness probe on /health, port 9435, the prometheus.io annotations, and args
#    that bpfproc accepts;
#  - the Dockerfile: a Debian 12 build stage that runs scripts/setup and builds bpfproc, a
#    runtime stage that copies only build/bpfproc (and its config) from it, EXPOSE 9435, and an
#    ENTRYPOINT of the installed binary with flags bpfproc accepts.
# A copy of each file with one of those taken out must fail the same checks.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
python3 -c 'import yaml' 2>/dev/null || fail "python3 cannot import yaml (scripts/setup installs python3-yaml)"

# check_daemonset FILE: prints one line per problem; none when the manifest is right.
check_daemonset() {
  python3 - "$1" <<'PY'
import sys, yaml
problems = []
def need(condition, what):
    if not condition:
        problems.append(what)
documents = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
daemonsets = [d for d in documents if d.get('kind') == 'DaemonSet']
need(len(daemonsets) == 1, 'one DaemonSet (kinds: %s)' % [d.get('kind') for d in documents])
if daemonsets:
    ds = daemonsets[0]
    need(ds.get('apiVersion') == 'apps/v1', 'apiVersion apps/v1')
    template = ds['spec']['template']
    spec = template['spec']
    need(ds['spec']['selector']['matchLabels'].items() <= template['metadata']['labels'].items(),
         "the selector matches the pod template's labels")
    need(spec.get('hostPID') is True, 'hostPID: true')
    annotations = template['metadata'].get('annotations', {})
    need(annotations.get('prometheus.io/scrape') == 'true', 'annotation prometheus.io/scrape "true"')
    need(annotations.get('prometheus.io/port') == '9435', 'annotation prometheus.io/port "9435"')
    containers = [c for c in spec['containers'] if c['name'] == 'bpfproc']
    need(len(containers) == 1, 'a container named bpfproc')
    c = containers[0] if containers else {}
    security = c.get('securityContext', {})
    capabilities = security.get('capabilities', {})
    need(sorted(capabilities.get('add', [])) == ['BPF', 'DAC_READ_SEARCH', 'PERFMON', 'SYS_PTRACE'],
         'capabilities add exactly BPF, PERFMON, SYS_PTRACE, DAC_READ_SEARCH (have %s)' % capabilities.get('add'))
    need(capabilities.get('drop') == ['ALL'], 'capabilities drop [ALL]')
    need(security.get('readOnlyRootFilesystem') is True, 'readOnlyRootFilesystem: true')
    need(security.get('allowPrivilegeEscalation') is False, 'allowPrivilegeEscalation: false')
    need(security.get('privileged') in (None, False), 'not privileged')
    ports = [p.get('containerPort') for p in c.get('ports', [])]
    need(ports == [9435], 'containerPort 9435 (have %s)' % ports)
    probe = c.get('livenessProbe', {}).get('httpGet', {})
    need(probe.get('path') == '/health', 'livenessProbe httpGet path /health')
    need(probe.get('port') in (9435, 'metrics') and (probe.get('port') == 9435 or
         any(p.get('name') == probe.get('port') and p.get('containerPort') == 9435 for p in c.get('ports', []))),
         'livenessProbe on port 9435')
    volumes = {v['name']: v.get('hostPath', {}).get('path') for v in spec.get('volumes', [])}
    mounts = {m['name']: m for m in c.get('volumeMounts', [])}
    for host_path in ('/sys/kernel/btf', '/proc'):
        names = [name for name, path in volumes.items() if path == host_path]
        need(len(names) == 1, 'a hostPath volume of %s' % host_path)
        for name in names:
            mount = mounts.get(name)
            need(mount is not None and mount.get('readOnly') is True, '%s mounted readOnly' % host_path)
            if host_path == '/sys/kernel/btf' and mount:
                need(mount['mountPath'] == '/sys/kernel/btf', '/sys/kernel/btf mounted at /sys/kernel/btf')
            if host_path == '/proc' and mount:
                need('--path.procfs=' + mount['mountPath'] in c.get('args', []) or mount['mountPath'] == '/proc',
                     "--path.procfs names the host /proc's mount path")
    print('ARGS\t' + '\t'.join(c.get('args', [])))
for problem in problems:
    print('PROBLEM\t' + problem)
PY
}

# check_dockerfile FILE: one line per problem.
check_dockerfile() {
  python3 - "$1" <<'PY'
import json, re, sys
problems = []
def need(condition, what):
    if not condition:
        problems.append(what)
lines, current = [], ''
for raw in open(sys.argv[1]):
    line = raw.rstrip('\n')
    if not current and (not line.strip() or line.lstrip().startswith('#')):
        continue
    if line.endswith('\\'):
        current += line[:-1] + ' '
        continue
    lines.append((current + line).strip())
    current = ''
stages = []  # (image, name, [instructions])
for line in lines:
    instruction, _, rest = line.partition(' ')
    instruction = instruction.upper()
    if instruction == 'FROM':
        words = rest.split()
        stages.append((words[0], words[2] if len(words) > 2 and words[1].upper() == 'AS' else None, []))
    elif stages:
        stages[-1][2].append((instruction, rest))
need(len(stages) >= 2, 'two stages at least (have %d)' % len(stages))
if len(stages) >= 2:
    build, runtime = stages[0], stages[-1]
    need(re.match(r'debian:12\b|debian:bookworm\b', build[0]) is not None, 'build stage FROM debian:12 (have %s)' % build[0])
    runs = ' '.join(rest for instruction, rest in build[2] if instruction == 'RUN')
    need('scripts/setup' in runs, 'the build stage runs scripts/setup')
    need(re.search(r'cmake --build \S+.*bpfproc|scripts/build', runs) is not None, 'the build stage builds bpfproc')
    need(re.match(r'debian:12|debian:bookworm', runtime[0]) is not None, 'runtime stage on Debian 12 (have %s)' % runtime[0])
    copies = [rest for instruction, rest in runtime[2] if instruction == 'COPY']
    need(any(re.match(r'--from=%s\s+\S*build/bpfproc\s' % re.escape(build[1] or '0'), c) for c in copies),
         'the runtime stage copies build/bpfproc from the build stage')
    need(all(c.startswith('--from=') for c in copies), 'the runtime stage copies nothing from the build context')
    need(not any(instruction == 'RUN' and re.search(r'cmake|scripts/setup|clang', rest) for instruction, rest in runtime[2]),
         'no build tools in the runtime stage')
    exposes = [rest.split() for instruction, rest in runtime[2] if instruction == 'EXPOSE']
    need(['9435'] in exposes or any('9435' in e or '9435/tcp' in e for e in exposes), 'EXPOSE 9435')
    entrypoints = [rest for instruction, rest in runtime[2] if instruction == 'ENTRYPOINT']
    need(len(entrypoints) == 1, 'one ENTRYPOINT')
    cmds = [rest for instruction, rest in runtime[2] if instruction == 'CMD']
    if entrypoints:
        entrypoint = json.loads(entrypoints[0])
        need(entrypoint[0] == '/usr/bin/bpfproc', 'ENTRYPOINT runs /usr/bin/bpfproc (have %s)' % entrypoint[0])
        need(any(dest == '/usr/bin/bpfproc' for dest in (c.split()[-1] for c in copies)), 'build/bpfproc copied to /usr/bin/bpfproc')
        arguments = entrypoint[1:] + (json.loads(cmds[0]) if cmds else [])
        print('ARGS\t' + '\t'.join(arguments))
for problem in problems:
    print('PROBLEM\t' + problem)
PY
}

# expect_clean CHECKER FILE WHAT: no problems, and the arguments it names are ones bpfproc takes.
expect_clean() {
  local output arguments
  output=$("$1" "$2") || fail "$3: the checker failed on $2"
  grep -q '^PROBLEM' <<<"$output" && fail "$3: $(grep '^PROBLEM' <<<"$output" | cut -f2 | paste -sd ';')"
  mapfile -t arguments < <(grep '^ARGS' <<<"$output" | cut -f2- | tr '\t' '\n' | grep -v '^$')
  # check-config parses every global flag (an unknown one exits 2), then checks only its FILE, so
  # paths inside the image (/host/proc) need not exist here. (--help would skip unknown flags.)
  "$BPFPROC" "${arguments[@]}" check-config "$root/packaging/config.yml" >/dev/null 2>"$E2E_TMP/args.err" ||
    fail "$3: bpfproc refuses the arguments ${arguments[*]}: $(head -n 1 "$E2E_TMP/args.err")"
  pass "$3 has the expected shape; bpfproc takes its arguments (${arguments[*]})"
}

# expect_problem CHECKER FILE WHAT: the broken copy must be caught.
expect_problem() {
  "$1" "$2" | grep -q '^PROBLEM' || fail "a $3 was not caught"
  pass "a $3 is caught"
}

daemonset="$root/packaging/kubernetes/daemonset.yml"
dockerfile="$root/packaging/Dockerfile"
[[ -f $daemonset && -f $dockerfile ]] || fail "packaging/Dockerfile or packaging/kubernetes/daemonset.yml is missing"
expect_clean check_daemonset "$daemonset" "the DaemonSet"
expect_clean check_dockerfile "$dockerfile" "the Dockerfile"

# The checks can fail: each of these copies lacks one promised property.
sed 's/hostPID: true/hostPID: false/' "$daemonset" >"$E2E_TMP/no-hostpid.yml"
expect_problem check_daemonset "$E2E_TMP/no-hostpid.yml" "DaemonSet without hostPID"
sed 's/add: \[BPF, /add: [SYS_ADMIN, BPF, /' "$daemonset" >"$E2E_TMP/sys-admin.yml"
expect_problem check_daemonset "$E2E_TMP/sys-admin.yml" "DaemonSet adding SYS_ADMIN"
awk '/readOnly: true/ && !done { sub(/true/, "false"); done = 1 } { print }' "$daemonset" >"$E2E_TMP/writable.yml"
expect_problem check_daemonset "$E2E_TMP/writable.yml" "DaemonSet with a writable host mount"
sed 's|path: /health|path: /metrics|' "$daemonset" >"$E2E_TMP/probe.yml"
expect_problem check_daemonset "$E2E_TMP/probe.yml" "DaemonSet whose probes are not on /health"
grep -v '^EXPOSE' "$dockerfile" >"$E2E_TMP/Dockerfile.no-expose"
expect_problem check_dockerfile "$E2E_TMP/Dockerfile.no-expose" "Dockerfile without EXPOSE 9435"
sed 's|^COPY --from=build /src/build/bpfproc|COPY build/bpfproc|' "$dockerfile" >"$E2E_TMP/Dockerfile.context"
expect_problem check_dockerfile "$E2E_TMP/Dockerfile.context" "Dockerfile copying the binary from the host's build"
"$BPFPROC" --no-such.flag=1 check-config "$root/packaging/config.yml" >/dev/null 2>&1 &&
  fail "bpfproc took an unknown flag before check-config, so the argument checks above prove nothing"
pass "an unknown flag in the manifests' arguments would be caught"
