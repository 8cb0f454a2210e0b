#!/usr/bin/env bash
# Golden-image VM start on local mode: a VirtualMachine whose dataVolumeTemplates clone a
# DataSource (sourceRef) is applied, and the time to its VMI's phase Running is measured beside a
# VirtualMachine whose disk already exists (the same content, a plain persistentVolumeClaim) —
# the difference is what the clone costs. The golden image is the bench guest (bin/guest-image)
# on a 2 GiB disk holding 1 GiB of random data besides; once with the data root on this machine's
# filesystem (clones are sparse copies), once on an XFS (reflink=1) loop filesystem (reflinks).
# Prints medians and `METRIC golden-vm-start-seconds-<reflink|sparse>`,
# `METRIC vmi-start-seconds-existing-<reflink|sparse>` and `METRIC golden-clone-adds-seconds-…`.
#   bench/golden.sh [runs]     (default 5; BENCH_DIR overrides the work directory; needs root for the mount)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
WORK="${BENCH_DIR:-$ROOT/bench/out/golden}"
FERRY="$ROOT/bin/ferry"
source "$ROOT/bench/lib.sh"
for tool in qemu-img qemu-system-x86_64 virsh python3 curl bc mkfs.xfs losetup; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run \`make deps\`" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "bench/golden.sh mounts an XFS loop filesystem: run it as root" >&2; exit 1; }
[[ -f "$ROOT/cli/target/ferry-cli.jar" ]] || { echo "not built: run \`make build\`" >&2; exit 1; }
virsh -c qemu:///system version >/dev/null 2>&1 || { echo "libvirtd is not running: run \`make deps\`" >&2; exit 1; }
mkdir -p "$WORK"
"$ROOT/bin/guest-image" "$WORK/guest" >/dev/null
golden="$WORK/golden.raw"
make_guest_disk "$WORK/guest" "$golden"

local_pid=""
trap 'kill ${local_pid:-} 2>/dev/null || true; wait ${local_pid:-} 2>/dev/null || true; umount "$WORK/xfs" 2>/dev/null || true' EXIT

# terminationGracePeriodSeconds 0: each VM is deleted as soon as it runs, before the guest's init
# listens for the power button, so a grace period would only be waited out
vm_json() {  # name, golden|existing
  local volume template=""
  if [[ $2 == golden ]]; then
    template='"dataVolumeTemplates":[{"metadata":{"name":"'$1'-root"},"spec":{"sourceRef":{"kind":"DataSource","name":"golden-os"},"storage":{}}}],'
    volume='{"name":"root","dataVolume":{"name":"'$1'-root"}}'
  else
    volume='{"name":"root","persistentVolumeClaim":{"claimName":"existing-root"}}'
  fi
  cat <<JSON
{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"$1","namespace":"default"},
 "spec":{"runStrategy":"Always",$template"template":{"spec":{"terminationGracePeriodSeconds":0,"domain":{"cpu":{"cores":1},
   "memory":{"guest":"256Mi"},"devices":{"disks":[{"name":"root","disk":{"bus":"virtio"}}]},
   "firmware":{"kernelBoot":{"kernelArgs":"console=ttyS0 quiet","container":{"image":"ferry/guest-kernel",
     "kernelPath":"$WORK/guest/vmlinuz","initrdPath":"$WORK/guest/initrd.img"}}}},
  "volumes":[$volume]}}}}
JSON
}

# one storage: local mode on <data root>; RUNS VM starts of each kind, alternating
measure() {  # data root, label
  local root=$1 label=$2 log="$WORK/local-$2.log"
  start_local "$root" "$log"
  local api
  api=$(awk '/server:/ {print $2}' "$KUBECONFIG")
  for name in golden-os existing-root; do
    printf 'apiVersion: cdi.kubevirt.io/v1beta1\nkind: DataVolume\nmetadata: {name: %s}\nspec:\n  source: {blank: {}}\n  storage: {accessModes: [ReadWriteMany], resources: {requests: {storage: 2Gi}}}\n' \
      "$name" | "$FERRY" apply -f - >/dev/null
    "$FERRY" wait dv/$name --for=phase=Succeeded --timeout=60s >/dev/null 2>&1
    local volume
    volume=$("$FERRY" get pvc $name -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["spec"]["volumeName"])')
    cp --sparse=always "$golden" "$root/volumes/$volume/disk.img"
  done
  sync
  printf 'apiVersion: cdi.kubevirt.io/v1beta1\nkind: DataSource\nmetadata: {name: golden-os}\nspec:\n  source: {pvc: {name: golden-os}}\n' \
    | "$FERRY" apply -f - >/dev/null
  "$FERRY" wait das/golden-os --for=phase=Ready --timeout=60s >/dev/null 2>&1
  local vms="$api/apis/kubevirt.io/v1/namespaces/default/virtualmachines"
  local vmis="$api/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances"
  local dvs="$api/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes"
  golden_s=(); existing_s=()
  for ((i = 0; i < RUNS; i++)); do
    for kind in golden existing; do
      local name="bench-$kind-$i" t0 t1
      t0=$(now)
      curl -sf -X POST -H 'Content-Type: application/json' "$vms" -d "$(vm_json "$name" "$kind")" >/dev/null
      for _ in $(seq 6000); do
        curl -sf "$vmis/$name" | grep -Eq '"phase" *: *"Running"' && break
        sleep 0.02
      done
      t1=$(now)
      curl -sf "$vmis/$name" | grep -Eq '"phase" *: *"Running"' \
        || { echo "VM $name ($label) did not start:" >&2; "$FERRY" get vm,vmi,dv >&2; tail -20 "$log" >&2; exit 1; }
      if [[ $kind == golden ]]; then golden_s+=("$(elapsed "$t0" "$t1")"); else existing_s+=("$(elapsed "$t0" "$t1")"); fi
      curl -sf -X DELETE "$vms/$name" >/dev/null
      for _ in $(seq 3000); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "$vmis/$name") == 404 && $(curl -s -o /dev/null -w '%{http_code}' "$dvs/$name-root") == 404 ]] && break
        sleep 0.05
      done
    done
  done
  local g e
  g=$(printf '%s\n' "${golden_s[@]}" | median)
  e=$(printf '%s\n' "${existing_s[@]}" | median)
  echo "golden-vm ($label): VM applied → VMI Running median ${g}s cloning its disk from the DataSource; ${e}s with its disk already there"
  metrics+=("METRIC golden-vm-start-seconds-$label $g" "METRIC vmi-start-seconds-existing-$label $e"
    "METRIC golden-clone-adds-seconds-$label $(echo "scale=3; $g - $e" | bc)")
  stop_local
}

metrics=()
measure "$WORK/local-sparse" sparse
xfs="$WORK/xfs"
mkdir -p "$xfs"
mountpoint -q "$xfs" && umount "$xfs"
rm -f "$WORK/xfs.img"; truncate -s 12G "$WORK/xfs.img"
mkfs.xfs -q -m reflink=1 "$WORK/xfs.img"
mount -o loop "$WORK/xfs.img" "$xfs"
measure "$xfs/local" reflink
umount "$xfs"; rm -f "$WORK/xfs.img"
printf '%s\n' "${metrics[@]}"
