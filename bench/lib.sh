# Shared helpers for the benchmarks: images, medians, timing.
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
# java.util.logging lines as HH:MM:SS.mmm|LEVEL|message (UTC here), for benchmarks that time parts from logs
MS_LOG_FORMAT='-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL|%4$s|%5$s%6$s%n'
# A command under /usr/bin/time: its peak RSS (KiB), user and system CPU seconds (children it
# waited for included) into <file>; rss_kib and cpu_s read them back.
#   timed <file> command...
timed() { local file=$1; shift; /usr/bin/time -f '%M %U %S' -o "$file" "$@"; }
rss_kib() { tail -1 "$1" | awk '{print $1}'; }
cpu_s() { tail -1 "$1" | awk '{print $2 + $3}'; }
# GiB of data an image holds (its allocated, non-zero extents as qemu-img maps them)
data_gib() {
  qemu-img map --output=json "$1" | python3 -c 'import json,sys; print(sum(e["length"] for e in json.load(sys.stdin) if e["data"]) / 2**30)'
}
# median CPU seconds per GiB: per_gib <GiB> <cpu seconds>...
per_gib() { local gib=$1; shift; printf '%s\n' "$@" | median | awk -v g="$gib" '{printf "%.2f", $1 / g}'; }

# A 4 GiB-virtual qcow2 holding 1 GiB of incompressible data in four 256 MiB runs.
make_plain_qcow2() {
  local out=$1 raw="$1.raw"
  [[ -f "$out" ]] && return
  echo "making $out (4 GiB virtual, 1 GiB random data)"
  truncate -s 4G "$raw"
  for i in 0 1 2 3; do
    head -c 256M /dev/urandom | dd of="$raw" bs=1M seek=$((i * 1024)) conv=notrunc status=none
  done
  qemu-img convert -q -f raw -O qcow2 "$raw" "$out"
  rm -f "$raw"
}

# The bench guest (bin/guest-image, in <guest dir>) as a 2 GiB raw disk holding 1 GiB of random data
# after its filesystem, from 1 GiB on (the guest never writes there); made once per guest build.
#   make_guest_disk <guest dir> <out>
make_guest_disk() {
  local guest=$1 out=$2
  [[ -f "$out" && "$out" -nt "$guest/disk.qcow2" ]] && return   # remade when the guest is
  echo "making $out (the bench guest, 2 GiB virtual, 1 GiB of random data after its filesystem)"
  qemu-img convert -q -f qcow2 -O raw "$guest/disk.qcow2" "$out"
  truncate -s 2G "$out"
  for i in 0 1 2 3; do
    head -c 256M /dev/urandom | dd of="$out" bs=1M seek=$((1024 + i * 256)) conv=notrunc status=none
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx's workers run as `nobody` when started by root, and then cannot write (or even reach)
# directories created under a umask-077 or root-only tree; the benchmarks' nginx runs as us.
nginx_user() { [[ $(id -u) -eq 0 ]] && echo "user root root;" || true; }

# Starts `ferry local up` on a fresh data root, logging to a file; sets local_pid and KUBECONFIG.
#   start_local <data root> <log>       (stop_local ends it)
start_local() {
  rm -rf "$1"
  "$FERRY" local up --data-root "$1" >"$2" 2>&1 &
  local_pid=$!
  for _ in $(seq 300); do [[ -f "$1/uploadproxy-url" ]] && break; sleep 0.1; done
  [[ -f "$1/uploadproxy-url" ]] || { echo "local mode did not start: $(tail -5 "$2")" >&2; exit 1; }
  export KUBECONFIG="$1/kubeconfig"
}

stop_local() {
  kill "$local_pid"
  wait "$local_pid" 2>/dev/null || true
  local_pid=""
  unset KUBECONFIG
}
