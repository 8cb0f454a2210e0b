#!/usr/bin/env bash
# Local import benchmark: qemu-img convert -O raw vs bin/ferry import, alternating runs,
# both followed by sync. Prints medians, Ferry's peak RSS, then the RATIO lines.
#   bench/import-local.sh [runs]     (default 9; BENCH_DIR overrides the work directory)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-9}"
WORK="${BENCH_DIR:-$ROOT/bench/out/import-local}"
FERRY="$ROOT/bin/ferry"
source "$ROOT/bench/lib.sh"
mkdir -p "$WORK"
for tool in qemu-img qemu-io /usr/bin/time losetup blockdev; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run \`make deps\`" >&2; exit 1; }
done
[[ -f "$ROOT/cli/target/ferry-cli.jar" ]] || { echo "not built: run \`make build\`" >&2; exit 1; }

plain="$WORK/plain.qcow2"        # 4 GiB virtual, 1 GiB of incompressible data in 4 runs
compressed="$WORK/compressed.qcow2"  # zlib-compressed qcow2 of compressible data
make_plain_qcow2 "$plain"
if [[ ! -f "$compressed" ]]; then
  echo "making $compressed (4 GiB virtual, 1 GiB compressible text, zlib)"
  raw="$WORK/text.raw"
  truncate -s 4G "$raw"
  # compressible but not trivial: base64 of random bytes (about 4:3 -> deflate ~75%), plus repeated lines
  for i in 0 1 2 3; do
    ( set +o pipefail
      { head -c 96M /dev/urandom | base64 -w 120; yes "ferry benchmark line $i: the quick brown fox jumps over the lazy dog" | head -c 128M; } \
        | head -c 256M | dd of="$raw" bs=1M seek=$((i * 1024)) conv=notrunc status=none )
  done
  qemu-img convert -q -c -f raw -O qcow2 "$raw" "$compressed"
  rm -f "$raw"
fi


report_case() {  # name image — medians of the caller's q, f (seconds), qc, fc (CPU seconds) and rss (KiB) arrays, its RATIO line
  local name=$1 gib qm fm rm
  gib=$(data_gib "$2")
  qm=$(printf '%s\n' "${q[@]}" | median); fm=$(printf '%s\n' "${f[@]}" | median)
  rm=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  echo "  runs qemu-img: ${q[*]}" | cut -c1-200; echo "  runs ferry:    ${f[*]}" | cut -c1-200
  printf '%-24s qemu-img %6.3f s   ferry %6.3f s   ferry peak RSS %d MiB\n' "$name" "$qm" "$fm" $((rm / 1024))
  echo "CPU_S_PER_GIB $name ferry $(per_gib "$gib" "${fc[@]}") qemu-img $(per_gib "$gib" "${qc[@]}") (user+sys, $(printf '%.2f' "$gib") GiB of data)"
  echo "$name $(echo "$fm / $qm" | bc -l) $((rm / 1024))" >> "$WORK/ratios.txt"
}

run_case() {  # name image
  local name=$1 image=$2 out="$WORK/out.img" rss_file="$WORK/rss.txt"
  local q=() f=() qc=() fc=() rss=()
  for ((i = 0; i < RUNS; i++)); do
    rm -f "$out"; sync; cat "$image" > /dev/null
    t0=$(now); timed "$rss_file" qemu-img convert -O raw "$image" "$out"; sync; t1=$(now)
    q+=("$(echo "$t1 - $t0" | bc -l)"); qc+=("$(cpu_s "$rss_file")")
    qemu-img compare -q -f raw "$out" "$image" || { echo "qemu-img output differs?!" >&2; exit 1; }
    rm -f "$out"; sync; cat "$image" > /dev/null
    t0=$(now); timed "$rss_file" "$FERRY" import --no-progress --source "$image" --dest "$out" 2>/dev/null; sync; t1=$(now)
    f+=("$(echo "$t1 - $t0" | bc -l)"); fc+=("$(cpu_s "$rss_file")")
    rss+=("$(rss_kib "$rss_file")")
    qemu-img compare -q -f raw "$out" "$image" || { echo "ferry output differs from the image" >&2; exit 1; }
  done
  report_case "$name" "$image"
}

# onto a block device (a loop device over a sparse file, as local mode's Block volumes are): both
# tools write into the existing device, the image then zeros to its end; qemu-img with -n, as CDI runs it
run_block_case() {  # name image
  local name=$1 image=$2 backing="$WORK/block.img" rss_file="$WORK/rss.txt" dev
  local q=() f=() qc=() fc=() rss=()
  rm -f "$backing"; truncate -s 6G "$backing"
  dev=$(losetup --find --show "$backing")
  trap 'losetup -d '"$dev"' 2>/dev/null || true' EXIT
  for ((i = 0; i < RUNS; i++)); do
    sync; cat "$image" > /dev/null
    t0=$(now); timed "$rss_file" qemu-img convert -n -O raw "$image" "$dev"; sync; t1=$(now)
    q+=("$(echo "$t1 - $t0" | bc -l)"); qc+=("$(cpu_s "$rss_file")")
    check_block "$dev" "$image" qemu-img
    sync; cat "$image" > /dev/null
    t0=$(now); timed "$rss_file" "$FERRY" import --no-progress --source "$image" --dest "$dev" 2>/dev/null; sync; t1=$(now)
    f+=("$(echo "$t1 - $t0" | bc -l)"); fc+=("$(cpu_s "$rss_file")")
    rss+=("$(rss_kib "$rss_file")")
    check_block "$dev" "$image" ferry
  done
  losetup -d "$dev"; trap - EXIT; rm -f "$backing"
  report_case "$name" "$image"
}

check_block() {  # device image tool: the image's bytes, then zeros to the device's end (qemu-img compare
  # checks that the longer one is zero past the shorter)
  qemu-img compare -q -f raw -F qcow2 "$1" "$2" || { echo "$3: the device differs from the image, or is not zero past it" >&2; exit 1; }
}

: > "$WORK/ratios.txt"
echo "runs: $RUNS, medians, each run followed by sync; image and both tools warm in the page cache"
echo "(no drop_caches: it would evict the JDK and time disk reads of the JVM rather than the conversion)"
run_case local-qcow2 "$plain"
run_case local-qcow2-compressed "$compressed"
run_block_case local-qcow2-block "$plain"
rm -f "$WORK/out.img"
peak=$(awk '{print $3}' "$WORK/ratios.txt" | sort -n | tail -1)
echo "PEAK_RSS_MIB ferry $peak"
awk '{printf "RATIO %s %.3f\n", $1, $2}' "$WORK/ratios.txt"
