#!/usr/bin/env bash
# VM benchmark on local mode (this machine: TCG), the guest from bin/guest-image on a
# ReadWriteMany DataVolume imported over HTTP:
#   start      VMI created (POST to the API server) → phase Running (the launcher's domain runs,
#              reported by the node handler), median of RUNS; anchor in the same run: `virsh create`
#              of the same kernel, initrd and disk on the node's libvirtd → running.
#   migration  a running 256 MiB guest moved live between launchers (each with its own libvirtd),
#              MIGRATIONS times; downtime and total from the completed job's statistics (QEMU's,
#              through libvirt; the libvirt call's and `ferry migrate --wait`'s wall times too); anchor:
#              a bare QEMU-to-QEMU migration of the same guest over loopback (bench/qemu-migrate.py).
# Prints medians, then `METRIC vmi-start-seconds`, `METRIC migration-total-seconds`,
# `METRIC migration-downtime-ms` and the anchors' INFO lines.
#   bench/vm.sh [runs] [migrations]     (default 10 and 5; BENCH_DIR overrides the work directory)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-10}"
MIGRATIONS="${2:-5}"
WORK="${BENCH_DIR:-$ROOT/bench/out/vm}"
FERRY="$ROOT/bin/ferry"
source "$ROOT/bench/lib.sh"
for tool in qemu-img qemu-system-x86_64 virsh python3 curl bc; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run \`make deps\`" >&2; exit 1; }
done
[[ -f "$ROOT/cli/target/ferry-cli.jar" ]] || { echo "not built: run \`make build\`" >&2; exit 1; }
virsh -c qemu:///system version >/dev/null 2>&1 || { echo "libvirtd is not running: run \`make deps\`" >&2; exit 1; }
mkdir -p "$WORK"
"$ROOT/bin/guest-image" "$WORK/guest" >/dev/null
[[ -f "$WORK/anchor.raw" ]] || qemu-img convert -q -f qcow2 -O raw "$WORK/guest/disk.qcow2" "$WORK/anchor.raw"

http_port=$(free_port)
(cd "$WORK/guest" && exec python3 -m http.server "$http_port" --bind 127.0.0.1) >"$WORK/http.log" 2>&1 &
http_pid=$!
rm -rf "$WORK/local"
# log lines with milliseconds, in local mode and the launchers it starts (they inherit the environment): start_parts reads them
JAVA_TOOL_OPTIONS="$MS_LOG_FORMAT" \
  "$FERRY" local up --data-root "$WORK/local" >"$WORK/local.log" 2>&1 &
local_pid=$!
trap 'kill $http_pid 2>/dev/null || true; kill $local_pid 2>/dev/null || true; wait $local_pid 2>/dev/null || true; virsh -c qemu:///system destroy ferry-bench-anchor >/dev/null 2>&1 || true' EXIT
export KUBECONFIG="$WORK/local/kubeconfig"
for _ in $(seq 300); do [[ -f "$KUBECONFIG" ]] && break; sleep 0.1; done
api=$(awk '/server:/ {print $2}' "$KUBECONFIG")
vmis="$api/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances"

"$FERRY" apply -f - >/dev/null <<YAML
apiVersion: cdi.kubevirt.io/v1beta1
kind: DataVolume
metadata:
  name: bench-root
spec:
  source:
    http:
      url: http://127.0.0.1:$http_port/disk.qcow2
  storage:
    accessModes: [ReadWriteMany]
    resources:
      requests:
        storage: 128Mi
YAML
"$FERRY" wait dv/bench-root --for=phase=Succeeded --timeout 120s 2>/dev/null

# terminationGracePeriodSeconds 0: each VMI is deleted as soon as it runs, before the guest's init
# listens for the power button, so any grace period was only waited out (30 s per run); the
# anchor's `virsh destroy` does not wait either
vmi_json() {  # name
  cat <<JSON
{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"$1","namespace":"default"},
 "spec":{"terminationGracePeriodSeconds":0,"domain":{"cpu":{"cores":1},"memory":{"guest":"256Mi"},
   "devices":{"disks":[{"name":"root","disk":{"bus":"virtio"}}]},
   "firmware":{"kernelBoot":{"kernelArgs":"console=ttyS0 quiet","container":{"image":"ferry/guest-kernel",
     "kernelPath":"$WORK/guest/vmlinuz","initrdPath":"$WORK/guest/initrd.img"}}}},
  "volumes":[{"name":"root","persistentVolumeClaim":{"claimName":"bench-root"}}]}}
JSON
}
phase_is() { curl -sf "$vmis/$1" | grep -Eq "\"phase\" *: *\"$2\""; }
gone() { [[ $(curl -s -o /dev/null -w '%{http_code}' "$vmis/$1") == 404 ]]; }
await() {  # what, timeout-seconds, command...
  local what=$1 limit=$2; shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@"; do
    (( $(date +%s) < deadline )) || { echo "timed out waiting for $what" >&2; tail -20 "$WORK/local.log" >&2; exit 1; }
    sleep 0.02
  done
}

cat > "$WORK/anchor.xml" <<XML
<domain type='qemu'>
  <name>ferry-bench-anchor</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type><kernel>$WORK/guest/vmlinuz</kernel>
    <initrd>$WORK/guest/initrd.img</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw' cache='none' io='native'/>
      <source file='$WORK/anchor.raw'/><target dev='vda' bus='virtio'/></disk>
    <serial type='file'><source path='$WORK/anchor-console.log'/><target port='0'/></serial>
  </devices>
</domain>
XML

# warm-up (not timed): the first launcher also probes for KVM, once per node boot
curl -sf -X POST -H 'Content-Type: application/json' -d "$(vmi_json warmup)" "$vmis" >/dev/null
await "the warm-up VMI" 120 phase_is warmup Running
curl -sf -X DELETE "$vmis/warmup" >/dev/null
await "the warm-up VMI to go" 60 gone warmup

ferry_start=() virsh_start=() starts_at=()
for ((i = 0; i < RUNS; i++)); do
  t0=$(now)
  curl -sf -X POST -H 'Content-Type: application/json' -d "$(vmi_json start-$i)" "$vmis" >/dev/null
  await "VMI start-$i to run" 120 phase_is "start-$i" Running
  t1=$(now); ferry_start+=("$(elapsed "$t0" "$t1")"); starts_at+=("start-$i $t0 $t1")
  curl -sf -X DELETE "$vmis/start-$i" >/dev/null
  await "VMI start-$i to go" 60 gone "start-$i"

  t0=$(now)
  virsh -c qemu:///system create "$WORK/anchor.xml" >/dev/null
  t1=$(now); virsh_start+=("$(elapsed "$t0" "$t1")")
  virsh -c qemu:///system destroy ferry-bench-anchor >/dev/null
done

# migration: one guest, moved MIGRATIONS times (each time to a new target launcher)
curl -sf -X POST -H 'Content-Type: application/json' -d "$(vmi_json mover)" "$vmis" >/dev/null
await "VMI mover to run" 120 phase_is mover Running
# the guest counts on from what its (shared) disk's counter file holds: wait for it to start, then two counts
"$FERRY" console mover --until "counter file holds" --timeout 120s >/dev/null
sleep 2
downtimes=() totals=() calls=() walls=()
for ((i = 0; i < MIGRATIONS; i++)); do
  t0=$(now)
  out=$("$FERRY" migrate mover --wait --timeout 120s 2>/dev/null)
  t1=$(now); walls+=("$(elapsed "$t0" "$t1")")
  read -r down total call < <(curl -sf "$vmis/mover" | python3 -c 'import json,sys; m=json.load(sys.stdin)["status"]["migrationState"]; print(m["downtimeMillis"], m["totalMillis"], m["callMillis"])')
  downtimes+=("$down"); totals+=("$(echo "scale=3; $total / 1000" | bc)"); calls+=("$(echo "scale=3; $call / 1000" | bc)")
done
counter=$("$FERRY" console mover --no-follow | grep -c counter || true)

bare_down=() bare_total=()
for ((i = 0; i < 3; i++)); do
  rm -rf "$WORK/bare"; mkdir -p "$WORK/bare"
  read -r d t < <(python3 "$ROOT/bench/qemu-migrate.py" "$WORK/guest/vmlinuz" "$WORK/guest/initrd.img" "$WORK/anchor.raw" "$WORK/bare" 50)
  bare_down+=("$d"); bare_total+=("$(echo "scale=3; $t / 1000" | bc)")
done

# where a start's time goes, from the log lines of local mode and the launcher (UTC times of day)
start_parts() {
  printf '%s\n' "${starts_at[@]}" > "$WORK/starts.txt"
  python3 - "$WORK/local.log" "$WORK/local/logs/default" "$WORK/starts.txt" <<'PY'
import glob, re, statistics, sys
local = open(sys.argv[1], errors="replace").read().splitlines()
def at(line):
    m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d)\|", line)
    return None if not m else int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + int(m[4]) / 1000
def first(lines, pattern):
    for line in lines:
        if re.search(pattern, line) and at(line) is not None:
            return at(line)
    return None
parts = {k: [] for k in ("controller: VMI → launcher Pod", "node: Pod → process", "launcher JVM + libvirtd up",
                         "domain defined and started", "handler: domain → Running", "API → client sees Running")}
for row in open(sys.argv[3]).read().split("\n"):
    if not row.strip():
        continue
    name, t0, t1 = row.split()
    day = lambda t: float(t) % 86400  # seconds into the UTC day, as the log lines count them
    pod = first(local, r"created Pod virt-launcher-%s-" % name)
    proc = first(local, r"started launcher .*virt-launcher-%s-" % name)
    logs = glob.glob("%s/virt-launcher-%s-*.log" % (sys.argv[2], name))
    launcher = open(logs[0], errors="replace").read().splitlines() if logs else []
    up = first(launcher, r"libvirtd .* up at")
    domain = first(launcher, r"started domain")
    running = first(local, r"default/%s: Running" % name)
    marks = [day(t0), pod, proc, up, domain, running, day(t1)]
    if None in marks:
        continue
    for key, a, b in zip(parts, marks, marks[1:]):
        parts[key].append((b - a) * 1000)
if not any(parts.values()):
    print("  (start parts not in the logs)")
for key, values in parts.items():
    if values:
        print("  start part %-32s median %5.0f ms   (%s)" % (key, statistics.median(values), " ".join("%.0f" % v for v in values)))
PY
}

med() { printf '%s\n' "$@" | median; }
echo "runs: $RUNS starts, $MIGRATIONS migrations (256 MiB guest, TCG unless /dev/kvm works), loopback"
echo "  ferry VMI create → Running (s):  ${ferry_start[*]}"
echo "  virsh create → running (s):      ${virsh_start[*]}"
start_parts
echo "  ferry migration downtime (ms):   ${downtimes[*]}"
echo "  ferry migration job (s):         ${totals[*]}   (QEMU's stats via libvirt, as the bare anchor's)"
echo "  ferry libvirt migrate call (s):  ${calls[*]}   (also starting the target QEMU and finishing)"
echo "  ferry migrate --wait, wall (s):  ${walls[*]}"
echo "  bare QEMU downtime (ms):         ${bare_down[*]}"
echo "  bare QEMU total (s):             ${bare_total[*]}"
echo "  the moved guest's console after $MIGRATIONS migrations: $counter counter lines on its current launcher"
start=$(med "${ferry_start[@]}")
echo "METRIC vmi-start-seconds $start"
echo "METRIC migration-total-seconds $(med "${totals[@]}")"
echo "METRIC migration-downtime-ms $(med "${downtimes[@]}")"
echo "INFO migration-call-seconds $(med "${calls[@]}") migrate-wait-wall-seconds $(med "${walls[@]}")"
echo "INFO anchor virsh-create-seconds $(med "${virsh_start[@]}")"
echo "INFO anchor bare-qemu-migration-total-seconds $(med "${bare_total[@]}") downtime-ms $(med "${bare_down[@]}")"
echo "INFO vmi-start ferry/virsh-create $(echo "scale=2; $start / $(med "${virsh_start[@]}")" | bc)"
