#!/usr/bin/env bash
# Clone benchmark, on a 4 GiB-virtual raw disk holding 1 GiB of random data (four 256 MiB runs):
#   anchor: the fastest of `cp --sparse=always`, plain `cp` and `qemu-img convert -f raw -O raw`
#           of the same file (each + sync);
#   (a) Ferry's host-assisted clone: `ferry worker clone-source` streaming the data extents over
#       mutual TLS to `ferry worker upload-server` in clone mode (two processes, as the two Pods);
#   (b) Ferry's local sparse copy (`ferry local clone-volume --no-reflink`: what local storage does
#       for a CSI clone or a snapshot where blocks cannot be shared), its own timing incl. fsync;
#   (c) reflink clones of 1 GiB and 8 GiB files on an XFS (reflink=1) loop filesystem;
#   (d) a DataVolume clone on local mode, apply → Succeeded, with the data root on ext4 (sparse
#       copy) and on the XFS loop (reflink), across namespaces (temporary claim, volume moved).
# Every copy is checked with qemu-img compare. Prints medians, the clone workers' peak RSS, and
# `RATIO clone-copy`, `RATIO clone-sparse`, `METRIC clone-reflink-ms-1g|8g`, `METRIC clone-dv-seconds`.
#   bench/clone.sh [runs]     (default 5; BENCH_DIR overrides the work directory)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
WORK="${BENCH_DIR:-$ROOT/bench/out/clone}"
FERRY="$ROOT/bin/ferry"
source "$ROOT/bench/lib.sh"
for tool in qemu-img openssl /usr/bin/time bc curl mkfs.xfs losetup filefrag xfs_io; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run \`make deps\`" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "bench/clone.sh mounts an XFS loop filesystem: run it as root" >&2; exit 1; }
[[ -f "$ROOT/cli/target/ferry-cli.jar" ]] || { echo "not built: run \`make build\`" >&2; exit 1; }
mkdir -p "$WORK/src" "$WORK/tls"

# the source volume: a directory holding disk.img, as a filesystem PVC does
src="$WORK/src/disk.img"
if [[ ! -f "$src" ]]; then
  echo "making $src (4 GiB virtual, 1 GiB random data)"
  truncate -s 4G "$src"
  for i in 0 1 2 3; do
    head -c 256M /dev/urandom | dd of="$src" bs=1M seek=$((i * 1024)) conv=notrunc status=none
  done
fi
data_mib=1024

# the clone's mutual TLS, as the controller issues it: one CA, the server's certificate for its
# address, the source's client certificate named <srcNs>/<src>-<tgtNs>/<tgt>
tls="$WORK/tls"
if [[ ! -f "$tls/client.crt" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=bench-ca \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
  for who in server client; do
    cn=$([[ $who == server ]] && echo localhost || echo 'golden\/src-vms\/dst')   # -subj escapes the name's slashes
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$cn" \
      -keyout "$tls/$who.key" -out "$tls/$who.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=%s\n' \
      "$([[ $who == server ]] && echo serverAuth || echo clientAuth)" > "$tls/$who.ext"
    openssl x509 -req -in "$tls/$who.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
      -extfile "$tls/$who.ext" -out "$tls/$who.crt" 2>/dev/null
  done
fi

check() { # check <copy> <what>: identical to the source, and allocating no more than its data (+ 16 MiB)
  qemu-img compare -q -f raw -F raw "$1" "$src" || { echo "$2: the copy differs from the source" >&2; exit 1; }
  local allocated=$(( $(stat -c %b "$1") * 512 / 1048576 ))
  (( allocated <= data_mib + 16 )) || { echo "$2: the copy allocates $allocated MiB for $data_mib MiB of data" >&2; exit 1; }
}

server_port=$(free_port)
dst="$WORK/dst"
start_server() {
  rm -rf "$dst"; mkdir -p "$dst"
  FERRY_DATA_PATH="$dst" FERRY_UPLOAD_HOST=127.0.0.1 FERRY_UPLOAD_PORT=$server_port FERRY_METRICS_PORT=-1 \
    FERRY_UPLOAD_TARGET=vms/dst FERRY_IMAGE_SIZE=4Gi FERRY_TERMINATION_LOG="$WORK/server-termination" \
    FERRY_TLS_CERT="$tls/server.crt" FERRY_TLS_KEY="$tls/server.key" \
    FERRY_CLONE_CLIENT_CA="$tls/ca.crt" FERRY_CLONE_CLIENT_NAME="golden/src-vms/dst" \
    /usr/bin/time -f %M -o "$WORK/server-rss.txt" "$FERRY" worker upload-server 2>"$WORK/server.log" &
  server_pid=$!
  for _ in $(seq 150); do
    curl -sf --cacert "$tls/ca.crt" -o /dev/null "https://127.0.0.1:$server_port/healthz" && return
    sleep 0.1
  done
  echo "upload server did not start: $(cat "$WORK/server.log")" >&2; exit 1
}
trap 'kill ${server_pid:-} ${local_pid:-} 2>/dev/null || true; wait ${local_pid:-} 2>/dev/null || true; umount "$WORK/xfs" 2>/dev/null || true' EXIT

declare -A anchor_s
ferry_s=(); sparse_ms=(); sparse_wall=(); source_rss=(); server_rss=()
for ((i = 0; i < RUNS; i++)); do
  for how in cp-sparse cp qemu-img; do
    rm -f "$WORK/anchor.img"; sync; cat "$src" > /dev/null
    t0=$(now)
    case $how in
      cp-sparse) cp --sparse=always "$src" "$WORK/anchor.img" ;;
      cp) cp "$src" "$WORK/anchor.img" ;;
      qemu-img) qemu-img convert -f raw -O raw "$src" "$WORK/anchor.img" ;;
    esac
    sync; t1=$(now); anchor_s[$how]+="$(elapsed "$t0" "$t1") "
    qemu-img compare -q -f raw -F raw "$WORK/anchor.img" "$src" || { echo "$how made a different copy?!" >&2; exit 1; }
  done
  rm -f "$WORK/anchor.img"

  start_server; sync; cat "$src" > /dev/null
  t0=$(now)
  FERRY_CLONE_SOURCE="$WORK/src" FERRY_CLONE_UPLOAD_URL="https://127.0.0.1:$server_port" \
    FERRY_CLONE_CLIENT_CERT="$tls/client.crt" FERRY_CLONE_CLIENT_KEY="$tls/client.key" FERRY_CLONE_SERVER_CA="$tls/ca.crt" \
    FERRY_METRICS_PORT=-1 FERRY_TERMINATION_LOG="$WORK/source-termination" \
    /usr/bin/time -f %M -o "$WORK/source-rss.txt" "$FERRY" worker clone-source 2>"$WORK/source.log" \
    || { echo "the clone source failed: $(cat "$WORK/source-termination" "$WORK/source.log")" >&2; exit 1; }
  wait "$server_pid" || { echo "the upload server failed: $(cat "$WORK/server.log")" >&2; exit 1; }
  t1=$(now); ferry_s+=("$(elapsed "$t0" "$t1")")
  source_rss+=("$(cat "$WORK/source-rss.txt")"); server_rss+=("$(cat "$WORK/server-rss.txt")")
  check "$dst/disk.img" "host-assisted clone"

  rm -rf "$WORK/sparse"; sync; cat "$src" > /dev/null
  t0=$(now)
  out=$("$FERRY" local clone-volume --no-reflink "$WORK/src" "$WORK/sparse")
  t1=$(now); sparse_wall+=("$(elapsed "$t0" "$t1")")
  sparse_ms+=("$(awk '{print $(NF-1)}' <<< "$out")")
  check "$WORK/sparse/disk.img" "sparse copy"
done
rm -rf "$dst" "$WORK/sparse"

best=""; best_how=""
for how in cp-sparse cp qemu-img; do
  m=$(tr ' ' '\n' <<< "${anchor_s[$how]}" | grep . | median)
  echo "anchor $how (+ sync): median ${m}s"
  if [[ -z "$best" ]] || (( $(echo "$m < $best" | bc -l) )); then best=$m; best_how=$how; fi
done
f=$(printf '%s\n' "${ferry_s[@]}" | median)
s=$(echo "scale=3; $(printf '%s\n' "${sparse_ms[@]}" | median) / 1000" | bc)
sw=$(printf '%s\n' "${sparse_wall[@]}" | median)
echo "clone-copy: ferry clone-source → mutual TLS → upload-server median ${f}s ($(echo "$data_mib / $f" | bc) MiB/s of data); anchor $best_how ${best}s"
echo "clone-sparse: ferry sparse copy median ${s}s (incl. fsync; ${sw}s with the JVM's start); anchor $best_how ${best}s"
echo "PEAK_RSS_MIB clone-source $(( $(printf '%s\n' "${source_rss[@]}" | sort -n | tail -1) / 1024 ))"
echo "PEAK_RSS_MIB upload-server-clone $(( $(printf '%s\n' "${server_rss[@]}" | sort -n | tail -1) / 1024 ))"
ratios=("RATIO clone-copy $(echo "scale=3; $f / $best" | bc)" "RATIO clone-sparse $(echo "scale=3; $s / $best" | bc)")

# (c) reflink on XFS: metadata only, so 8 GiB should cost about what 1 GiB does
xfs="$WORK/xfs"
mkdir -p "$xfs"
mountpoint -q "$xfs" && umount "$xfs"
rm -f "$WORK/xfs.img"; truncate -s 24G "$WORK/xfs.img"
mkfs.xfs -q -m reflink=1 "$WORK/xfs.img"
mount -o loop "$WORK/xfs.img" "$xfs"
mkdir -p "$xfs/1g" "$xfs/8g"
head -c 1G /dev/urandom > "$xfs/1g/disk.img"
# the 8 GiB file: the 1 GiB one eight times over, by reflink (xfs_io; writing 8 GiB took most of this benchmark's time)
for i in 0 1 2 3 4 5 6 7; do xfs_io -f -c "reflink $xfs/1g/disk.img 0 $((i << 30)) 1g" "$xfs/8g/disk.img" >/dev/null; done
[[ $(stat -c %s "$xfs/8g/disk.img") -eq $((8 << 30)) ]] || { echo "could not make the 8 GiB file by reflink" >&2; exit 1; }
sync
for size in 1g 8g; do
  ms=()
  for ((i = 0; i < RUNS; i++)); do
    rm -rf "$xfs/copy"; sync
    out=$("$FERRY" local clone-volume "$xfs/$size" "$xfs/copy")
    [[ $out == reflink* ]] || { echo "expected a reflink on XFS, got: $out" >&2; exit 1; }
    ms+=("$(awk '{print $(NF-1)}' <<< "$out")")
    filefrag -v "$xfs/copy/disk.img" | grep -q shared || { echo "the $size clone shares no extents" >&2; exit 1; }
  done
  cmp -s "$xfs/copy/disk.img" "$xfs/$size/disk.img" || { echo "the $size reflink clone differs" >&2; exit 1; }
  rm -rf "$xfs/copy"
  metrics+=("METRIC clone-reflink-ms-$size $(printf '%s\n' "${ms[@]}" | median)")
done
rm -rf "$xfs/1g" "$xfs/8g"

# (d) DataVolume clones on local mode: golden/src (1 GiB of data written into a blank 4Gi volume)
# cloned into vms/dst; on ext4 the volume is a sparse copy, on the XFS loop a reflink
dv_clone() { # dv_clone <data root> <tag> <label>
  local root=$1 label=$3 log="$WORK/local-$2.log"
  start_local "$root" "$log"
  printf 'apiVersion: cdi.kubevirt.io/v1beta1\nkind: DataVolume\nmetadata: {name: src, namespace: golden}\nspec:\n  source: {blank: {}}\n  storage: {resources: {requests: {storage: 4Gi}}}\n' \
    | "$FERRY" apply -f - >/dev/null
  "$FERRY" wait dv/src -n golden --for=phase=Succeeded --timeout=60s >/dev/null 2>&1 \
    || { echo "the source DataVolume ($label) did not succeed:" >&2; "$FERRY" get dv src -n golden -o yaml >&2; exit 1; }
  local volume
  volume=$("$FERRY" get pvc src -n golden -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["spec"]["volumeName"])')
  cp --sparse=always "$src" "$root/volumes/$volume/disk.img"; sync
  # the clone: created with one POST and watched by polling the API (no CLI start-up in the timing)
  local api t0 t1 phase last="" parts="" now_s
  api=$(grep -o 'http://127.0.0.1:[0-9]*' "$root/kubeconfig" | head -1)
  t0=$(now)
  curl -sf -X POST -H 'Content-Type: application/json' "$api/apis/cdi.kubevirt.io/v1beta1/namespaces/vms/datavolumes" \
    -d '{"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"DataVolume","metadata":{"name":"dst","namespace":"vms"},"spec":{"source":{"pvc":{"namespace":"golden","name":"src"}},"storage":{"resources":{"requests":{"storage":"4Gi"}}}}}' >/dev/null
  for _ in $(seq 2400); do
    phase=$(curl -sf "$api/apis/cdi.kubevirt.io/v1beta1/namespaces/vms/datavolumes/dst" \
      | python3 -c 'import json,sys; print((json.load(sys.stdin).get("status") or {}).get("phase") or "-")')
    if [[ $phase != "$last" ]]; then
      now_s=$(now); parts+=" $phase +$(printf '%.2f' "$(elapsed "$t0" "$now_s")")s"; last=$phase
    fi
    [[ $phase == Succeeded || $phase == Failed ]] && break
    sleep 0.05
  done
  t1=$(now)
  [[ $phase == Succeeded ]] || { echo "DataVolume clone ($label) did not succeed:" >&2; "$FERRY" get dv dst -n vms -o yaml >&2; exit 1; }
  local total copy strategy
  total=$(elapsed "$t0" "$t1")
  strategy=$("$FERRY" get dv dst -n vms -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["annotations"]["cdi.kubevirt.io/cloneType"])')
  [[ $strategy == csi-clone ]] || { echo "DataVolume clone ($label): expected a csi-clone on local-path, got $strategy" >&2; exit 1; }
  copy=$(grep -ao 'populated golden/tmp-pvc-[^ ]* by [A-Z_]* ([0-9]* data bytes, [0-9]* ms)' "$log" | tail -1 | grep -o '[0-9]* ms)' | tr -d ' ms)' || true)
  volume=$("$FERRY" get pvc dst -n vms -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["spec"]["volumeName"])')
  check "$root/volumes/$volume/disk.img" "DataVolume clone ($label)"
  echo "clone-dv ($label): create → Succeeded $(printf '%.2f' "$total")s; phases seen:$parts; the volume copy ${copy:-?} ms, the rest the webhook, token, temporary claim, volume moved and bound (local storage and node act every 100 ms)"
  stop_local
  dv_seconds+=("$total")
}
dv_seconds=()
dv_clone "$WORK/local-sparse" sparse "sparse copy on $(stat -f -c %T "$WORK")"
dv_clone "$xfs/local" reflink "reflink on xfs"
umount "$xfs"; rm -f "$WORK/xfs.img"

printf '%s\n' "${metrics[@]}"
echo "METRIC clone-dv-seconds-sparse $(printf '%.2f' "${dv_seconds[0]}")"
echo "METRIC clone-dv-seconds-reflink $(printf '%.2f' "${dv_seconds[1]}")"
printf '%s\n' "${ratios[@]}"
