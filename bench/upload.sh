#!/usr/bin/env bash
# Upload benchmark, side by side, on the same 4 GiB-virtual / 1 GiB-data images (raw and qcow2):
#   (a) curl -T to nginx writing the request body to a file (client_body_in_file_only) — the
#       cost of just receiving the bytes onto disk;
#   (b) bin/ferry image-upload through the upload proxy and an upload server (both real
#       processes: `ferry worker upload-proxy|upload-server`), which converts while receiving;
# each followed by sync, runs alternating. Ferry's disk is checked with qemu-img compare.
# Prints medians, peak RSS of proxy and server, and last
# `RATIO upload-raw <ferry/curl-nginx>` and `RATIO upload-qcow2 <ferry/curl-nginx>`.
#   bench/upload.sh [runs]     (default 5; BENCH_DIR overrides the work directory)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
WORK="${BENCH_DIR:-$ROOT/bench/out/upload}"
FERRY="$ROOT/bin/ferry"
source "$ROOT/bench/lib.sh"
for tool in qemu-img nginx /usr/bin/time bc curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run \`make deps\`" >&2; exit 1; }
done
[[ -f "$ROOT/cli/target/ferry-cli.jar" ]] || { echo "not built: run \`make build\`" >&2; exit 1; }
mkdir -p "$WORK/body/tmp" "$WORK/data" "$WORK/keys"

qcow2="$WORK/disk.qcow2"
raw="$WORK/disk.raw"
make_plain_qcow2 "$qcow2"
[[ -f "$raw" ]] || qemu-img convert -q -f qcow2 -O raw "$qcow2" "$raw"

nginx_port=$(free_port)
cat > "$WORK/nginx.conf" <<CONF
daemon off;
$(nginx_user)
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_max_body_size 0;
  client_body_in_file_only on;
  client_body_temp_path $WORK/body/tmp;
  client_body_buffer_size 1m;
  server {
    listen 127.0.0.1:$nginx_port;
    root $WORK/body;
    location / { dav_methods PUT; create_full_put_path on; }
  }
}
CONF
nginx -c "$WORK/nginx.conf" &
nginx_pid=$!

# the proxy, with a fixed table pointing vms/bench at the upload server's port
[[ -f "$WORK/keys/token.key" ]] || openssl genpkey -algorithm ed25519 -out "$WORK/keys/token.key" 2>/dev/null
openssl pkey -in "$WORK/keys/token.key" -pubout -out "$WORK/keys/token.pub" 2>/dev/null
proxy_port=$(free_port)
server_port=$(free_port)
FERRY_TOKEN_PUBLIC_KEY="$WORK/keys/token.pub" FERRY_PROXY_PORT=$proxy_port FERRY_UPSTREAM_PLAIN=true \
  FERRY_UPLOAD_SERVERS="vms/bench=127.0.0.1:$server_port" \
  /usr/bin/time -f %M -o "$WORK/proxy-rss.txt" "$FERRY" worker upload-proxy 2>"$WORK/proxy.log" &
proxy_pid=$!
trap 'kill $nginx_pid $proxy_pid 2>/dev/null || true; pkill -f "worker upload-proxy" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$proxy_port/healthz" && break; sleep 0.1; done
proxy_jvm=$(pgrep -P "$proxy_pid" | head -1)   # the JVM under /usr/bin/time: its CPU is read around each upload
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); print ($12 + $13) / hz}' "/proc/$1/stat"; }
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/" && break; sleep 0.1; done

# starts an upload server for one upload (it exits once the disk is synced)
start_server() {
  rm -f "$WORK/data/disk.img"
  FERRY_DATA_PATH="$WORK/data" FERRY_UPLOAD_HOST=127.0.0.1 \
    FERRY_UPLOAD_PORT=$server_port FERRY_METRICS_PORT=-1 FERRY_UPLOAD_TARGET=vms/bench \
    FERRY_TERMINATION_LOG="$WORK/termination-log" FERRY_IMAGE_SIZE=4Gi \
    timed "$WORK/server-rss.txt" "$FERRY" worker upload-server 2>"$WORK/server.log" &
  server_pid=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$server_port/healthz" && return; sleep 0.1; done
  echo "upload server did not start: $(cat "$WORK/server.log")" >&2; exit 1
}

declare -A curl_s ferry_s qemu_s cpu_curl cpu_client cpu_proxy cpu_server
server_rss=()
for ((i = 0; i < RUNS; i++)); do
  for kind in raw qcow2; do
    image=$([[ $kind == raw ]] && echo "$raw" || echo "$qcow2")
    rm -f "$WORK/body/upload"; sync; cat "$image" > /dev/null
    t0=$(now)
    timed "$WORK/cpu.txt" curl -sSf -o /dev/null -T "$image" "http://127.0.0.1:$nginx_port/upload" \
      || { echo "nginx refused the PUT; its error log:" >&2; tail -5 "$WORK/nginx-error.log" >&2; exit 1; }
    sync; t1=$(now); curl_s[$kind]+="$(elapsed "$t0" "$t1") "; cpu_curl[$kind]+="$(cpu_s "$WORK/cpu.txt") "
    cmp -s "$WORK/body/upload" "$image" || { echo "nginx stored something else than $image" >&2; exit 1; }
    rm -f "$WORK/body/upload"

    # reference point: converting the same file locally with qemu-img (no network at all)
    rm -f "$WORK/qemu.raw"; sync; cat "$image" > /dev/null
    t0=$(now)
    qemu-img convert -f "$kind" -O raw "$image" "$WORK/qemu.raw"
    sync; t1=$(now); qemu_s[$kind]+="$(elapsed "$t0" "$t1") "
    rm -f "$WORK/qemu.raw"

    start_server; sync; cat "$image" > /dev/null
    "$FERRY" upload-token --signing-key "$WORK/keys/token.key" -n vms --pvc bench > "$WORK/token"
    p0=$(proc_cpu "$proxy_jvm"); t0=$(now)
    timed "$WORK/cpu.txt" "$FERRY" image-upload dv bench -n vms --image-path "$image" --uploadproxy-url "http://127.0.0.1:$proxy_port" \
      --token-file "$WORK/token" --no-progress 2>"$WORK/client.log" || { cat "$WORK/client.log" >&2; exit 1; }
    sync; t1=$(now); ferry_s[$kind]+="$(elapsed "$t0" "$t1") "
    cpu_client[$kind]+="$(cpu_s "$WORK/cpu.txt") "; cpu_proxy[$kind]+="$(echo "$(proc_cpu "$proxy_jvm") - $p0" | bc -l) "
    wait "$server_pid"; server_rss+=("$(rss_kib "$WORK/server-rss.txt")"); cpu_server[$kind]+="$(cpu_s "$WORK/server-rss.txt") "
    qemu-img compare -q -f raw "$WORK/data/disk.img" "$image" || { echo "uploaded disk differs from $image" >&2; exit 1; }
  done
done
pkill -TERM -P "$proxy_pid" 2>/dev/null || true   # the JVM under /usr/bin/time, which then writes its peak RSS
wait "$proxy_pid" 2>/dev/null || true

gib=$(data_gib "$qcow2")
for kind in raw qcow2; do
  c=$(tr ' ' '\n' <<< "${curl_s[$kind]}" | grep . | median)
  f=$(tr ' ' '\n' <<< "${ferry_s[$kind]}" | grep . | median)
  q=$(tr ' ' '\n' <<< "${qemu_s[$kind]}" | grep . | median)
  echo "upload-$kind: curl -T to nginx (body to file) median ${c}s; ferry image-upload via proxy median ${f}s ($(echo "1024 / $f" | bc) MiB/s of data); local qemu-img convert of the file median ${q}s"
  echo "INFO upload-$kind ferry/local-qemu-img $(echo "scale=3; $f / $q" | bc)"
  ratios+=("RATIO upload-$kind $(echo "scale=3; $f / $c" | bc)")
  # shellcheck disable=SC2086 # the per-run values are space-separated
  echo "CPU_S_PER_GIB upload-$kind client $(per_gib "$gib" ${cpu_client[$kind]}) proxy $(per_gib "$gib" ${cpu_proxy[$kind]}) server $(per_gib "$gib" ${cpu_server[$kind]}) curl $(per_gib "$gib" ${cpu_curl[$kind]}) (user+sys per GiB of data; nginx's not counted)"
done
echo "PEAK_RSS_MIB upload-server $(( $(printf '%s\n' "${server_rss[@]}" | sort -n | tail -1) / 1024 ))"
proxy_rss=$(grep -Eo '^[0-9]+$' "$WORK/proxy-rss.txt" 2>/dev/null || echo 0)
echo "PEAK_RSS_MIB upload-proxy $(( proxy_rss / 1024 ))"
printf '%s\n' "${ratios[@]}"
