#!/usr/bin/env bash
# How many VMs one VirtualMachineSnapshotSchedule run snapshots on local mode before the run takes
# longer than a minute: N stopped VMs, each a 2 GiB disk holding DATA_MIB of random data, one
# schedule of every minute selecting them all; the time from the run (status.lastSnapshotTime)
# until every snapshot is ready, with the data root on this machine's filesystem (sparse copies)
# and on an XFS (reflink=1) loop filesystem (reflinks). Prints the run's time, the time per VM
# and `METRIC schedule-vms-per-minute-<sparse|reflink>` (60 s / time per VM; the VMs are stopped,
# so no freeze: that is measured by bench/snapshot.sh).
#   bench/schedule-capacity.sh [vms] [data MiB]   (default 12 and 256; needs root for the mount)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VMS="${1:-12}"
DATA_MIB="${2:-256}"
WORK="${BENCH_DIR:-$ROOT/bench/out/schedule-capacity}"
FERRY="$ROOT/bin/ferry"
source "$ROOT/bench/lib.sh"
for tool in python3 curl mkfs.xfs losetup; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run \`make deps\`" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "bench/schedule-capacity.sh mounts an XFS loop filesystem: run it as root" >&2; exit 1; }
[[ -f "$ROOT/cli/target/ferry-cli.jar" ]] || { echo "not built: run \`make build\`" >&2; exit 1; }
mkdir -p "$WORK"
data="$WORK/data.bin"
[[ -f "$data" && $(stat -c %s "$data") -eq $((DATA_MIB * 1048576)) ]] || head -c "${DATA_MIB}M" /dev/urandom > "$data"
local_pid=""
trap 'kill ${local_pid:-} 2>/dev/null || true; wait ${local_pid:-} 2>/dev/null || true; umount "$WORK/xfs" 2>/dev/null || true' EXIT

measure() {  # data root, label
  local root=$1 label=$2
  start_local "$root" "$WORK/local-$label.log"
  local api
  api=$(awk '/server:/ {print $2}' "$KUBECONFIG")
  for ((i = 0; i < VMS; i++)); do
    echo "---"
    printf 'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: vm-%02d, labels: {backup: "true"}}\nspec:\n  runStrategy: Halted\n  dataVolumeTemplates:\n  - metadata: {name: vm-%02d-root}\n    spec: {source: {blank: {}}, storage: {resources: {requests: {storage: 2Gi}}}}\n  template:\n    spec:\n      domain: {devices: {disks: [{name: root, disk: {bus: virtio}}]}, memory: {guest: 128Mi}}\n      volumes: [{name: root, dataVolume: {name: vm-%02d-root}}]\n' "$i" "$i" "$i"
  done | "$FERRY" apply -f - >/dev/null
  for ((i = 0; i < VMS; i++)); do
    "$FERRY" wait "dv/vm-$(printf %02d "$i")-root" --for=phase=Succeeded --timeout=120s >/dev/null 2>&1
    local volume
    volume=$("$FERRY" get pvc "vm-$(printf %02d "$i")-root" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["spec"]["volumeName"])')
    dd if="$data" of="$root/volumes/$volume/disk.img" bs=1M conv=notrunc status=none
  done
  sync
  printf 'apiVersion: ferry.kubevirt.dev/v1alpha1\nkind: VirtualMachineSnapshotSchedule\nmetadata: {name: capacity}\nspec:\n  schedule: "* * * * *"\n  vmSelector: {matchLabels: {backup: "true"}}\n  retention: {maxCount: 1}\n' \
    | "$FERRY" apply -f - >/dev/null
  python3 - "$api" "$VMS" "$label" <<'PY'
import json, sys, time, urllib.request
from datetime import datetime
api, vms, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
base = api + "/apis/snapshot.kubevirt.io/v1beta1/namespaces/default/virtualmachinesnapshots"
sched = api + "/apis/ferry.kubevirt.dev/v1alpha1/namespaces/default/virtualmachinesnapshotschedules/capacity"
deadline = time.time() + 200
run = None
while time.time() < deadline:
    status = json.load(urllib.request.urlopen(sched)).get("status") or {}
    if status.get("lastSnapshotTime"):
        run = datetime.fromisoformat(status["lastSnapshotTime"].replace("Z", "+00:00")).timestamp()
        break
    time.sleep(0.2)
if run is None:
    sys.exit("the schedule did not run within 200 s")
while time.time() < deadline + 300:
    items = json.load(urllib.request.urlopen(base + "?labelSelector=snapshot.kubevirt.io%2Fschedule-name%3Dcapacity"))["items"]
    ready = [s for s in items if (s.get("status") or {}).get("readyToUse")]
    if len(ready) >= vms:
        took = time.time() - run
        print("schedule run (%s): %d VMs snapshotted in %.2f s, %.3f s per VM" % (label, vms, took, took / vms))
        print("METRIC schedule-vms-per-minute-%s %d" % (label, int(60 / (took / vms))))
        break
    time.sleep(0.2)
else:
    sys.exit("not every snapshot became ready")
PY
  stop_local
}

measure "$WORK/local-sparse" sparse
xfs="$WORK/xfs"
mkdir -p "$xfs"
mountpoint -q "$xfs" && umount "$xfs"
rm -f "$WORK/xfs.img"; truncate -s $((VMS * 2 * 2 + 8))G "$WORK/xfs.img"
mkfs.xfs -q -m reflink=1 "$WORK/xfs.img"
mount -o loop "$WORK/xfs.img" "$xfs"
measure "$xfs/local" reflink
umount "$xfs"; rm -f "$WORK/xfs.img"
