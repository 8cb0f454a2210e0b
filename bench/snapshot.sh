#!/usr/bin/env bash
# VM snapshot and restore on local mode, of a running VM with a guest agent: the bench guest
# (bin/guest-image: qemu-ga, an fsfreeze hook) on a 2 GiB disk holding 1 GiB of random data
# besides its filesystem, running on QEMU (TCG where KVM hangs). Once with the data root on this
# machine's filesystem (the local snapshotter copies the volume sparsely), once on an XFS
# (reflink=1) loop filesystem (it reflinks it). Per storage, RUNS times:
#   - a VirtualMachineSnapshot: applied → readyToUse, and how long the guest's filesystems were
#     frozen (the launcher's measure, reported in the ThawedVirtualMachine event);
#   - anchor: `cp --sparse=always` of the same disk (+ sync), what a snapshot costs without
#     shared blocks;
#   - a VirtualMachineRestore of the first snapshot into a new VM: applied → complete, checked
#     byte for byte on the data the guest does not touch (the 1 GiB after its filesystem).
# Prints medians and `METRIC snapshot-frozen-ms-<reflink|sparse>`, `METRIC snapshot-ready-seconds-…`,
# `METRIC restore-seconds-…` and `RATIO snapshot-ready-vs-cp-<…>` (snapshot ready / cp).
#   bench/snapshot.sh [runs]   (default 5; BENCH_DIR overrides the work directory; needs root for the mount)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
WORK="${BENCH_DIR:-$ROOT/bench/out/snapshot}"
FERRY="$ROOT/bin/ferry"
source "$ROOT/bench/lib.sh"
for tool in qemu-img qemu-system-x86_64 virsh python3 curl bc cmp mkfs.xfs losetup; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run \`make deps\`" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "bench/snapshot.sh mounts an XFS loop filesystem: run it as root" >&2; exit 1; }
[[ -f "$ROOT/cli/target/ferry-cli.jar" ]] || { echo "not built: run \`make build\`" >&2; exit 1; }
virsh -c qemu:///system version >/dev/null 2>&1 || { echo "libvirtd is not running: run \`make deps\`" >&2; exit 1; }
mkdir -p "$WORK"
"$ROOT/bin/guest-image" "$WORK/guest" >/dev/null
disk="$WORK/disk.raw"
data_offset=$((1024 * 1024 * 1024))
make_guest_disk "$WORK/guest" "$disk"

local_pid=""
trap 'kill ${local_pid:-} 2>/dev/null || true; wait ${local_pid:-} 2>/dev/null || true; umount "$WORK/xfs" 2>/dev/null || true' EXIT

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# POSTs an object to a collection and polls it (one process, every 20 ms: the poller itself takes little of
# the two cores) until <done> holds of its status s; prints the seconds taken, then each new <label> with
# the time it was first seen. `progressing` is the reason of its Progressing condition.
#   create_and_watch <collection url> <json> <name> <done expr> <label expr>
create_and_watch() {
  python3 - "$@" <<'PY'
import json, sys, time, urllib.request
url, body, name, done, label = sys.argv[1:6]
t0 = time.time()
urllib.request.urlopen(urllib.request.Request(url, body.encode(), {"Content-Type": "application/json"}, method="POST")).read()
last, parts, finished = None, [], False
while time.time() - t0 < 300 and not finished:
    try:
        s = json.load(urllib.request.urlopen(url + "/" + name)).get("status") or {}
    except Exception:
        s = {}
    progressing = next((c.get("reason") or "" for c in s.get("conditions") or [] if c.get("type") == "Progressing"), "")
    seen = eval(label)
    finished = bool(eval(done))
    if seen != last or finished:
        parts.append("%s +%.2fs" % (seen, time.time() - t0))
        last = seen
    if not finished:
        time.sleep(0.02)
print("%.3f" % (time.time() - t0), "; ".join(parts))
PY
}

# The freeze window of one snapshot from local mode's log (its lines carry milliseconds, see start):
# the guest frozen, its VolumeSnapshots created, taken (cut), the guest thawed, each after the freeze.
freeze_parts() {  # <log> <snapshot name> <snapshot uid>
  python3 - "$@" <<'PY'
import re, sys
from datetime import datetime
log, name, uid = sys.argv[1:4]
marks = {}
for line in open(log, errors="replace"):
    m = re.match(r"(\d\d:\d\d:\d\d\.\d{3})\|\w+\|(.*)", line)
    if not m:
        continue
    t, text = datetime.strptime(m.group(1), "%H:%M:%S.%f"), m.group(2)
    if text.endswith(": froze the guest's filesystems") and "vs" not in marks:
        marks["froze"] = t
    elif "created VolumeSnapshot vmsnapshot-" + uid in text:
        marks["vs"] = t
    elif text.startswith("snapshot ") and "vmsnapshot-" + uid in text:
        marks["cut"] = t
        marks["how"] = text.split(" by ")[1]
    elif text.startswith("default/" + name + ": thawed"):
        marks["thawed"] = t
if not all(k in marks for k in ("froze", "vs", "cut", "thawed")):
    print("(parts not in the log)")
else:
    ms = lambda k: int((marks[k] - marks["froze"]).total_seconds() * 1000)
    print("after the freeze answered: VolumeSnapshot created +%d ms, cut +%d ms (%s), thaw answered +%d ms"
          % (ms("vs"), ms("cut"), marks["how"], ms("thawed")))
PY
}

vm_json() {  # name
  cat <<JSON
{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"$1","namespace":"default"},
 "spec":{"runStrategy":"Always","template":{"spec":{"terminationGracePeriodSeconds":5,"domain":{"cpu":{"cores":1},
   "memory":{"guest":"128Mi"},"devices":{"disks":[{"name":"root","disk":{"bus":"virtio"}}]},
   "firmware":{"kernelBoot":{"kernelArgs":"console=ttyS0 panic=-1 quiet","container":{"image":"ferry/agent-guest",
     "kernelPath":"$WORK/guest/vmlinuz","initrdPath":"$WORK/guest/initrd.img"}}}},
  "volumes":[{"name":"root","persistentVolumeClaim":{"claimName":"bench-root"}}]}}}}
JSON
}

# the data the guest does not write: equal to the disk's from 1 GiB on
same_data() { cmp -s -i "$data_offset" "$1" "$disk"; }

measure() {  # data root, label
  local root=$1 label=$2 log="$WORK/local-$2.log"
  # local mode's log lines with milliseconds: freeze_parts reads them
  FERRY_JAVA_OPTS="$MS_LOG_FORMAT" start_local "$root" "$log"
  local api volume
  api=$(awk '/server:/ {print $2}' "$KUBECONFIG")
  printf 'apiVersion: cdi.kubevirt.io/v1beta1\nkind: DataVolume\nmetadata: {name: bench-root}\nspec:\n  source: {blank: {}}\n  storage: {resources: {requests: {storage: 2Gi}}}\n' \
    | "$FERRY" apply -f - >/dev/null
  "$FERRY" wait dv/bench-root --for=phase=Succeeded --timeout=60s >/dev/null 2>&1
  volume=$("$FERRY" get pvc bench-root -o json | json 'd["spec"]["volumeName"]')
  cp --sparse=always "$disk" "$root/volumes/$volume/disk.img"; sync
  local vms="$api/apis/kubevirt.io/v1/namespaces/default/virtualmachines"
  local vmis="$api/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances"
  local snaps="$api/apis/snapshot.kubevirt.io/v1beta1/namespaces/default/virtualmachinesnapshots"
  local restores="$api/apis/snapshot.kubevirt.io/v1beta1/namespaces/default/virtualmachinerestores"
  local events="$api/api/v1/namespaces/default/events"
  curl -sf -X POST -H 'Content-Type: application/json' "$vms" -d "$(vm_json bench)" >/dev/null
  for _ in $(seq 1800); do
    curl -sf "$vmis/bench" 2>/dev/null | json 2>/dev/null '"yes" if any(c.get("type")=="AgentConnected" and c.get("status")=="True" for c in (d.get("status") or {}).get("conditions") or []) else "no"' \
      | grep -q yes && break
    sleep 0.1
  done
  curl -sf "$vmis/bench" | grep -q AgentConnected || { echo "the VM ($label) did not run with its agent:" >&2; "$FERRY" get vm,vmi -o yaml >&2; tail -20 "$log" >&2; exit 1; }

  local ready_s=() frozen_ms=() cp_s=() restore_s=() i t0 t1 out
  for ((i = 0; i < RUNS; i++)); do
    out=$(create_and_watch "$snaps" '{"apiVersion":"snapshot.kubevirt.io/v1beta1","kind":"VirtualMachineSnapshot","metadata":{"name":"snap-'$i'"},"spec":{"source":{"apiGroup":"kubevirt.io","kind":"VirtualMachine","name":"bench"}}}' \
      "snap-$i" 's.get("phase") == "Succeeded" and s.get("readyToUse") or s.get("phase") == "Failed"' \
      '(s.get("phase") or "new") + (" ready" if s.get("readyToUse") else "") + (": " + progressing if progressing else "")')
    [[ $out == *"Succeeded ready"* ]] || { echo "snapshot snap-$i ($label) did not become ready: $out" >&2; curl -sf "$snaps/snap-$i" >&2; exit 1; }
    ready_s+=("${out%% *}")
    curl -sf "$snaps/snap-$i" | json '" ".join(d["status"].get("indications") or [])' | grep -q GuestAgent \
      || { echo "snapshot snap-$i ($label) was not taken through the guest agent" >&2; exit 1; }
    local ms=""
    for _ in $(seq 100); do
      ms=$(curl -sf "$events" | json '"".join(e["message"].split(" frozen for ")[1].split(" ")[0] for e in d["items"] if e["involvedObject"]["name"]=="snap-'$i'" and e.get("reason")=="ThawedVirtualMachine")')
      [[ -n $ms ]] && break
      sleep 0.1
    done
    [[ -n $ms ]] || { echo "snapshot snap-$i ($label): no ThawedVirtualMachine event" >&2; exit 1; }
    frozen_ms+=("$ms")
    echo "snapshot snap-$i ($label): ${out#* } | frozen ${ms} ms: $(freeze_parts "$log" "snap-$i" "$(curl -sf "$snaps/snap-$i" | json 'd["metadata"]["uid"]')")"
    rm -f "$root/anchor.img"; sync
    t0=$(now); cp --sparse=always "$root/volumes/$volume/disk.img" "$root/anchor.img"; sync; t1=$(now)
    cp_s+=("$(elapsed "$t0" "$t1")")
    rm -f "$root/anchor.img"
  done

  # restores of snap-0 into new VMs (created halted, as KubeVirt creates them; the patch says it as users write
  # it); each restored VM is deleted once measured
  for ((i = 0; i < RUNS; i++)); do
    out=$(create_and_watch "$restores" '{"apiVersion":"snapshot.kubevirt.io/v1beta1","kind":"VirtualMachineRestore","metadata":{"name":"restore-'$i'"},"spec":{"target":{"apiGroup":"kubevirt.io","kind":"VirtualMachine","name":"restored-'$i'"},"virtualMachineSnapshotName":"snap-0","patches":["{\"op\":\"replace\",\"path\":\"/spec/runStrategy\",\"value\":\"Halted\"}"]}}' \
      "restore-$i" 's.get("complete") is True' '("complete" if s.get("complete") else "") + (": " if s.get("complete") and progressing else "") + progressing or "new"')
    [[ $out == *"complete: "* ]] || { echo "restore-$i ($label) did not complete: $out" >&2; curl -sf "$restores/restore-$i" >&2; exit 1; }
    restore_s+=("${out%% *}")
    echo "restore restore-$i ($label): ${out#* }"
    local claim rvolume
    claim=$(curl -sf "$restores/restore-$i" | json 'd["status"]["restores"][0]["persistentVolumeClaim"]')
    rvolume=$("$FERRY" get pvc "$claim" -o json | json 'd["spec"]["volumeName"]')
    same_data "$root/volumes/$rvolume/disk.img" || { echo "restore-$i ($label): the restored disk's data differs" >&2; exit 1; }
    curl -sf -X DELETE "$vms/restored-$i" >/dev/null
  done
  curl -sf -X DELETE "$vms/bench" >/dev/null
  local r f c re
  r=$(printf '%s\n' "${ready_s[@]}" | median); f=$(printf '%s\n' "${frozen_ms[@]}" | median)
  c=$(printf '%s\n' "${cp_s[@]}" | median); re=$(printf '%s\n' "${restore_s[@]}" | median)
  echo "snapshot ($label): applied → readyToUse median ${r}s, the guest frozen median ${f} ms (all: ${frozen_ms[*]}); anchor cp --sparse=always of the disk + sync ${c}s"
  echo "restore ($label): applied → complete (a new VM on claims from the snapshot) median ${re}s"
  metrics+=("METRIC snapshot-frozen-ms-$label $f" "METRIC snapshot-ready-seconds-$label $r" "METRIC restore-seconds-$label $re")
  ratios+=("RATIO snapshot-ready-vs-cp-$label $(echo "scale=3; $r / $c" | bc)")
  stop_local
}

metrics=(); ratios=()
measure "$WORK/local-sparse" sparse
xfs="$WORK/xfs"
mkdir -p "$xfs"
mountpoint -q "$xfs" && umount "$xfs"
rm -f "$WORK/xfs.img"; truncate -s 12G "$WORK/xfs.img"
mkfs.xfs -q -m reflink=1 "$WORK/xfs.img"
mount -o loop "$WORK/xfs.img" "$xfs"
measure "$xfs/local" reflink
umount "$xfs"; rm -f "$WORK/xfs.img"
printf '%s\n' "${metrics[@]}" "${ratios[@]}"
