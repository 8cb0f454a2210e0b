#!/usr/bin/env bash
# Remote import benchmark, one run, side by side, on the same 4 GiB-virtual / 1 GiB-data qcow2
# served by nginx over loopback:
#   (a) nbdkit curl + qemu-img convert -O raw   (the fastest CDI-style streaming path)
#   (b) bin/ferry import http://...
# then the same image from S3Proxy (in-process S3 server, filesystem store):
#   (c) download to a scratch file (curl --aws-sigv4), then qemu-img convert -O raw   (CDI's S3 path)
#   (d) bin/ferry import s3://...
# each followed by sync, runs alternating. Prints medians and, last,
# `RATIO http-qcow2 <ferry/nbdkit>` and `RATIO s3-qcow2 <ferry/download-then-convert>`.
#   bench/import-remote.sh [runs]     (default 7; BENCH_DIR overrides the work directory)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-7}"
WORK="${BENCH_DIR:-$ROOT/bench/out/import-remote}"
FERRY="$ROOT/bin/ferry"
source "$ROOT/bench/lib.sh"
mkdir -p "$WORK/www"
for tool in qemu-img nginx nbdkit /usr/bin/time bc curl mvn; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run \`make deps\`" >&2; exit 1; }
done
[[ -f "$ROOT/cli/target/ferry-cli.jar" ]] || { echo "not built: run \`make build\`" >&2; exit 1; }

image="$WORK/www/disk.qcow2"
make_plain_qcow2 "$image"
port=$(free_port)
cat > "$WORK/nginx.conf" <<CONF
daemon off;
$(nginx_user)
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
s3_pid=""
trap 'kill $nginx_pid $s3_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null -r 0-0 "http://127.0.0.1:$port/disk.qcow2" && break; sleep 0.1; done
url="http://127.0.0.1:$port/disk.qcow2"

out="$WORK/out.img"
a=(); b=(); ac=(); bc_=(); rss=()
for ((i = 0; i < RUNS; i++)); do
  rm -f "$out"; sync; cat "$image" > /dev/null
  t0=$(now)
  timed "$WORK/rss.txt" nbdkit -r -U - curl url="$url" --run "qemu-img convert -f qcow2 -O raw \$nbd $out"
  sync; t1=$(now); a+=("$(elapsed "$t0" "$t1")"); ac+=("$(cpu_s "$WORK/rss.txt")")
  qemu-img compare -q -f raw "$out" "$image" || { echo "nbdkit path output differs?!" >&2; exit 1; }
  rm -f "$out"; sync; cat "$image" > /dev/null
  t0=$(now)
  timed "$WORK/rss.txt" "$FERRY" import --no-progress --source "$url" --dest "$out" 2>/dev/null
  sync; t1=$(now); b+=("$(elapsed "$t0" "$t1")"); bc_+=("$(cpu_s "$WORK/rss.txt")"); rss+=("$(rss_kib "$WORK/rss.txt")")
  qemu-img compare -q -f raw "$out" "$image" || { echo "ferry output differs from the image" >&2; exit 1; }
done
rm -f "$out"
kill $nginx_pid 2>/dev/null || true

# S3: S3Proxy from the importer's test classpath, seeded with the image by the MinIO client.
echo "starting S3Proxy"
cp_file="$WORK/s3-classpath.txt"
(cd "$ROOT/importer" && mvn -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null)
rm -rf "$WORK/s3"; mkdir -p "$WORK/s3"
source "$ROOT/cli/target/launcher.env"
"$JAVA_HOME/bin/java" -cp "$ROOT/importer/target/test-classes:$ROOT/disk/target/test-classes:$(<"$cp_file")" \
  dev.ferry.importer.testing.S3ServerMain "$WORK/s3" "$image" disk.qcow2 > "$WORK/s3.log" 2>&1 &
s3_pid=$!
# it prints ENDPOINT once the image is uploaded into it (1 GiB through the MinIO client: allow minutes on a busy machine)
for _ in $(seq 3000); do
  grep -q '^ENDPOINT ' "$WORK/s3.log" && break
  kill -0 "$s3_pid" 2>/dev/null || break
  sleep 0.1
done
endpoint=$(sed -n 's/^ENDPOINT //p' "$WORK/s3.log")
[[ -n "$endpoint" ]] || { echo "S3Proxy did not start:" >&2; cat "$WORK/s3.log" >&2; exit 1; }
mkdir -p "$WORK/secret"; printf 'ferry-access' > "$WORK/secret/accessKeyId"; printf 'ferry-secret-key' > "$WORK/secret/secretKey"
scratch="$WORK/scratch.qcow2"
c=(); d=(); cc=(); dc=()
for ((i = 0; i < RUNS; i++)); do
  rm -f "$out" "$scratch"; sync
  t0=$(now)
  timed "$WORK/cpu-curl.txt" curl -sf -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user ferry-access:ferry-secret-key -o "$scratch" "$endpoint/bench/disk.qcow2"
  timed "$WORK/rss.txt" qemu-img convert -f qcow2 -O raw "$scratch" "$out"
  sync; t1=$(now); c+=("$(elapsed "$t0" "$t1")")
  cc+=("$(echo "$(cpu_s "$WORK/cpu-curl.txt") + $(cpu_s "$WORK/rss.txt")" | bc -l)")
  qemu-img compare -q -f raw "$out" "$image" || { echo "download-then-convert output differs?!" >&2; exit 1; }
  rm -f "$out" "$scratch"; sync
  t0=$(now)
  timed "$WORK/rss.txt" "$FERRY" import --no-progress --source s3://bench/disk.qcow2 \
    --s3-endpoint "$endpoint" --secret-dir "$WORK/secret" --dest "$out" 2>/dev/null
  sync; t1=$(now); d+=("$(elapsed "$t0" "$t1")"); dc+=("$(cpu_s "$WORK/rss.txt")"); rss+=("$(rss_kib "$WORK/rss.txt")")
  qemu-img compare -q -f raw "$out" "$image" || { echo "ferry S3 output differs from the image" >&2; exit 1; }
done
rm -f "$out" "$scratch"

am=$(printf '%s\n' "${a[@]}" | median); bm=$(printf '%s\n' "${b[@]}" | median)
cm=$(printf '%s\n' "${c[@]}" | median); dm=$(printf '%s\n' "${d[@]}" | median)
echo "runs: $RUNS, each followed by sync, loopback servers"
echo "  runs nbdkit+qemu-img:           ${a[*]}"
echo "  runs ferry http:                ${b[*]}"
echo "  runs download-then-convert s3:  ${c[*]}"
echo "  runs ferry s3:                  ${d[*]}"
printf 'http-qcow2   nbdkit curl + qemu-img      %6.3f s   ferry %6.3f s\n' "$am" "$bm"
printf 's3-qcow2     download, then qemu-img     %6.3f s   ferry %6.3f s\n' "$cm" "$dm"
gib=$(data_gib "$image")
echo "CPU_S_PER_GIB http-qcow2 ferry $(per_gib "$gib" "${bc_[@]}") nbdkit+qemu-img $(per_gib "$gib" "${ac[@]}") (user+sys of the client side; nginx's not counted)"
echo "CPU_S_PER_GIB s3-qcow2 ferry $(per_gib "$gib" "${dc[@]}") curl+qemu-img $(per_gib "$gib" "${cc[@]}") (user+sys of the client side; S3Proxy's not counted)"
printf 'PEAK_RSS_MIB ferry %d\n' $(( $(printf '%s\n' "${rss[@]}" | sort -n | tail -1) / 1024 ))
printf 'RATIO http-qcow2 %.3f\n' "$(echo "$bm / $am" | bc -l)"
printf 'RATIO s3-qcow2 %.3f\n' "$(echo "$dm / $cm" | bc -l)"
