#!/usr/bin/env bash
# Remote import benchmark, one run, side by side, on the same 4 GiB-virtual / 1 GiB-data qcow2
# served by nginx over loopback:
#   (a) nbdkit curl + qemu-img convert -O raw   (the fastest CDI-style streaming path)
#   (b) bin/ferry import http://...
# each followed by sync, runs alternating. Prints medians and `RATIO http-qcow2 <ferry/nbdkit>`.
#   bench/import-remote.sh [runs]     (default 7; BENCH_DIR overrides the work directory)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-7}"
WORK="${BENCH_DIR:-$ROOT/bench/out/import-remote}"
FERRY="$ROOT/bin/ferry"
source "$ROOT/bench/lib.sh"
mkdir -p "$WORK/www"
for tool in qemu-img nginx nbdkit /usr/bin/time bc; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run \`make deps\`" >&2; exit 1; }
done
[[ -f "$ROOT/cli/target/ferry-cli.jar" ]] || { echo "not built: run \`make build\`" >&2; exit 1; }

image="$WORK/www/disk.qcow2"
make_plain_qcow2 "$image"
port=$(free_port)
cat > "$WORK/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  server { listen 127.0.0.1:$port; root $WORK/www; }
}
CONF
nginx -c "$WORK/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null -r 0-0 "http://127.0.0.1:$port/disk.qcow2" && break; sleep 0.1; done
url="http://127.0.0.1:$port/disk.qcow2"

out="$WORK/out.img"
a=(); b=(); rss=()
for ((i = 0; i < RUNS; i++)); do
  rm -f "$out"; sync; cat "$image" > /dev/null
  t0=$(now)
  nbdkit -r -U - curl url="$url" --run "qemu-img convert -f qcow2 -O raw \$nbd $out"
  sync; t1=$(now); a+=("$(elapsed "$t0" "$t1")")
  qemu-img compare -q -f raw "$out" "$image" || { echo "nbdkit path output differs?!" >&2; exit 1; }
  rm -f "$out"; sync; cat "$image" > /dev/null
  t0=$(now)
  /usr/bin/time -f %M -o "$WORK/rss.txt" "$FERRY" import --no-progress --source "$url" --dest "$out" 2>/dev/null
  sync; t1=$(now); b+=("$(elapsed "$t0" "$t1")"); rss+=("$(cat "$WORK/rss.txt")")
  qemu-img compare -q -f raw "$out" "$image" || { echo "ferry output differs from the image" >&2; exit 1; }
done
rm -f "$out"
am=$(printf '%s\n' "${a[@]}" | median); bm=$(printf '%s\n' "${b[@]}" | median)
echo "runs: $RUNS, each followed by sync, image served by nginx on loopback"
echo "  runs nbdkit+qemu-img: ${a[*]}"
echo "  runs ferry:           ${b[*]}"
printf 'http-qcow2   nbdkit curl + qemu-img %6.3f s   ferry %6.3f s   ferry peak RSS %d MiB\n' "$am" "$bm" \
  $(( $(printf '%s\n' "${rss[@]}" | sort -n | tail -1) / 1024 ))
echo "s3-qcow2: not measured yet (the S3 source is not implemented in this build)"
printf 'RATIO http-qcow2 %.3f\n' "$(echo "$bm / $am" | bc -l)"
