#!/usr/bin/env python3
"""The anchor for bench/vm.sh: a bare QEMU-to-QEMU live migration over loopback (no libvirt, no
Ferry) of the same guest, the disk shared. Prints 'downtime_ms total_ms' from QEMU's own stats.
    qemu-migrate.py KERNEL INITRD RAW_DISK WORKDIR DOWNTIME_LIMIT_MS"""
import json
import re
import socket
import subprocess
import sys
import time

kernel, initrd, disk, work, limit = sys.argv[1:6]


def start(name, extra):
    monitor = f"{work}/{name}.qmp"
    args = ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-m", "256", "-smp", "1", "-nodefaults",
            "-display", "none", "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0 quiet",
            "-drive", f"file={disk},format=raw,if=virtio,cache=none,aio=native",
            "-serial", f"file:{work}/{name}-console.log", "-qmp", f"unix:{monitor},server=on,wait=off"] + extra
    return subprocess.Popen(args), monitor


def connect(path):
    for _ in range(200):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            f = s.makefile("rw")
            f.readline()
            command(f, "qmp_capabilities")
            return f
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"no QMP at {path}")


def command(f, name, **arguments):
    f.write(json.dumps({"execute": name, "arguments": arguments}) + "\n")
    f.flush()
    while True:
        reply = json.loads(f.readline())
        if "return" in reply:
            return reply["return"]
        if "error" in reply:
            raise SystemExit(f"{name}: {reply['error']}")


def counting(name):
    """Whether the guest has counted twice since it booted: its counter starts from what the
    (reused) disk's counter file holds, so no particular number says it runs."""
    try:
        with open(f"{work}/{name}-console.log", errors="replace") as c:
            lines = c.read().splitlines()
    except OSError:
        return False
    return sum(1 for line in lines if re.fullmatch(r"counter \d+", line.strip())) >= 2


source, source_qmp = start("source", [])
port = socket.socket()
port.bind(("127.0.0.1", 0))
number = port.getsockname()[1]
port.close()
target, target_qmp = start("target", ["-incoming", f"tcp:127.0.0.1:{number}"])
try:
    deadline = time.time() + 120
    while not counting("source"):
        if time.time() > deadline:
            raise SystemExit("the guest did not boot")
        time.sleep(0.1)
    src = connect(source_qmp)
    connect(target_qmp)
    command(src, "migrate-set-parameters", **{"downtime-limit": int(limit)})
    command(src, "migrate", uri=f"tcp:127.0.0.1:{number}")
    while True:
        info = command(src, "query-migrate")
        if info.get("status") in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.01)
    if info["status"] != "completed":
        raise SystemExit(f"bare migration {info['status']}")
    print(info["downtime"], info["total-time"])
finally:
    for p in (source, target):
        p.kill()
        p.wait()
