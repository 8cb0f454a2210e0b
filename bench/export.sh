#!/usr/bin/env bash
# Export benchmark, one run, side by side, on a 4 GiB-virtual / 1 GiB-data raw volume (four 256 MiB
# runs of random data, holes between) imported into a DataVolume on `ferry local up` and exported
# there by a VirtualMachineExport; the anchor is nginx serving the very same disk.img over TLS
# (the same kind of certificate, loopback):
#   (a) curl of disk.img from nginx into a file      vs  (b) ferry vmexport download --format raw into a file
#   (c) gzip -1 -c of disk.img into a file           vs  (d) ferry vmexport download (the gzip link) into a file
# each followed by sync. Prints medians and, last, `RATIO export-raw <b/a>` (goal <= 1.1) and
# `RATIO export-gzip <d/c>` (goal <= 0.6: holes are not read, compression uses both cores).
# Both downloads are checked against the volume after the first run.
#   bench/export.sh [runs]     (default 7; BENCH_DIR overrides the work directory)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-7}"
WORK="${BENCH_DIR:-$ROOT/bench/out/export}"
FERRY="$ROOT/bin/ferry"
source "$ROOT/bench/lib.sh"
mkdir -p "$WORK/www"
for tool in nginx openssl curl gzip bc cmp; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run \`make deps\`" >&2; exit 1; }
done
[[ -f "$ROOT/cli/target/ferry-cli.jar" ]] || { echo "not built: run \`make build\`" >&2; exit 1; }

source_disk="$WORK/www/disk.img"
if [[ ! -f "$source_disk" ]]; then
  echo "making $source_disk (4 GiB virtual, 1 GiB random data)"
  truncate -s 4G "$source_disk"
  for i in 0 1 2 3; do
    head -c 256M /dev/urandom | dd of="$source_disk" bs=1M seek=$((i * 1024)) conv=notrunc status=none
  done
fi
if [[ ! -f "$WORK/tls.key" ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
fi

# local mode, the volume imported once (plain HTTP from nginx)
root="$WORK/local"
start_local "$root" "$WORK/local.log"
http_port=$(free_port)
tls_port=$(free_port)
write_nginx() {  # <TLS root>
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
  server { listen 127.0.0.1:$http_port; root $WORK/www; }
  server {
    listen 127.0.0.1:$tls_port ssl;
    ssl_certificate $WORK/tls.crt;
    ssl_certificate_key $WORK/tls.key;
    root $1;
  }
}
CONF
}
write_nginx "$WORK/www"
nginx -c "$WORK/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null || true; [[ -n "${local_pid:-}" ]] && stop_local' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null -r 0-0 "http://127.0.0.1:$http_port/disk.img" && break; sleep 0.1; done
cat <<YAML | "$FERRY" apply -f - >/dev/null
apiVersion: cdi.kubevirt.io/v1beta1
kind: DataVolume
metadata: {name: disk}
spec:
  source: {http: {url: "http://127.0.0.1:$http_port/disk.img"}}
  storage: {resources: {requests: {storage: 4Gi}}}
YAML
"$FERRY" wait dv/disk --for=phase=Succeeded --timeout=300s >/dev/null
volume=$("$FERRY" get pvc disk -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["spec"]["volumeName"])')
volume_dir=$("$FERRY" get pv "$volume" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["spec"]["local"]["path"])')
disk="$volume_dir/disk.img"
size=$(stat -c %s "$disk")
# nginx now serves the volume's own disk.img over TLS: the same bytes the export serves
kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true
write_nginx "$volume_dir"
nginx -c "$WORK/nginx.conf" &
nginx_pid=$!
for _ in $(seq 50); do curl -sf --cacert "$WORK/tls.crt" -o /dev/null -r 0-0 "https://127.0.0.1:$tls_port/disk.img" && break; sleep 0.1; done

"$FERRY" vmexport create bench --pvc disk >/dev/null
download() { "$FERRY" vmexport download bench --no-progress "$@" >/dev/null; }

a=(); b=(); c=(); d=()
for ((i = 0; i < RUNS; i++)); do
  rm -f "$WORK/curl.img" "$WORK/ferry.img" "$WORK/gzip.gz" "$WORK/ferry.img.gz"; sync
  t0=$(now); curl -sSf --cacert "$WORK/tls.crt" -o "$WORK/curl.img" "https://127.0.0.1:$tls_port/disk.img"; sync; t1=$(now)
  a+=("$(elapsed "$t0" "$t1")")
  t0=$(now); download --format raw --output "$WORK/ferry.img"; sync; t1=$(now); b+=("$(elapsed "$t0" "$t1")")
  t0=$(now); gzip -1 -c "$disk" > "$WORK/gzip.gz"; sync; t1=$(now); c+=("$(elapsed "$t0" "$t1")")
  t0=$(now); download --output "$WORK/ferry.img.gz"; sync; t1=$(now); d+=("$(elapsed "$t0" "$t1")")
  echo "run $((i + 1)): curl from nginx ${a[-1]} s, ferry raw ${b[-1]} s, gzip -1 ${c[-1]} s, ferry gzip ${d[-1]} s"
  if ((i == 0)); then   # the downloads checked against the volume once, untimed
    cmp "$WORK/ferry.img" "$disk" || { echo "the raw download differs from the volume" >&2; exit 1; }
    gunzip -c "$WORK/ferry.img.gz" | cmp - "$disk" || { echo "the gzip download does not gunzip to the volume" >&2; exit 1; }
  fi
done
echo "disk $size bytes; files: curl $(du -k "$WORK/curl.img" | cut -f1) KiB allocated, ferry raw $(du -k "$WORK/ferry.img" | cut -f1) KiB"
echo "gzip: gzip -1 $(stat -c %s "$WORK/gzip.gz") bytes, ferry gzip link $(stat -c %s "$WORK/ferry.img.gz") bytes"
"$FERRY" vmexport delete bench >/dev/null
rm -f "$WORK/curl.img" "$WORK/ferry.img" "$WORK/gzip.gz" "$WORK/ferry.img.gz"
ma=$(printf '%s\n' "${a[@]}" | median); mb=$(printf '%s\n' "${b[@]}" | median)
mc=$(printf '%s\n' "${c[@]}" | median); md=$(printf '%s\n' "${d[@]}" | median)
mib=$(echo "$size / 1048576" | bc -l)
echo "median: curl from nginx $ma s ($(echo "$mib / $ma" | bc -l | xargs printf %.0f) MiB/s), ferry vmexport download raw $mb s ($(echo "$mib / $mb" | bc -l | xargs printf %.0f) MiB/s)"
echo "median: gzip -1 $mc s, ferry vmexport download gzip $md s"
echo "RATIO export-raw $(echo "$mb / $ma" | bc -l | xargs printf %.3f)"
echo "RATIO export-gzip $(echo "$md / $mc" | bc -l | xargs printf %.3f)"
