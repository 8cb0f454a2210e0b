package dev.ferry.disk.testing;

import java.nio.file.Path;

/** Test images with a realistic mix: scattered data, zeroed ranges, a partial tail, unallocated gaps. */
public final class Images {
    public static final String SIZE = "64M";

    private Images() {
    }

    /** A qcow2 of 64 MiB made by qemu-img with {@code options}, written by qemu-io in scattered places. */
    public static Path scattered(Path dir, String name, String options) {
        Path image = Tools.qcow2(dir.resolve(name), SIZE, options);
        Tools.qemuIo(image, "qcow2",
                "write -P 0xab 0 1M",
                "write -P 0x5c 1536k 3k",
                "write -P 0xcd 10M 64k",
                "write -z 10M 4k",
                "write -P 0x11 30M 3M",
                "write -z 31M 512k",
                "write -P 0x7e 40961k 1k",
                "write -P 0x22 63M 1M");
        return image;
    }

    /** Incompressible data, for compressed images that must still round-trip. */
    public static Path random(Path dir, String name, String options, int megabytes) {
        Path raw = dir.resolve(name + ".random.raw");
        Tools.run("sh", "-c", "head -c " + megabytes + "M /dev/urandom > " + raw + " && truncate -s " + SIZE + " " + raw);
        Path image = dir.resolve(name);
        Tools.run(("qemu-img convert -q -f raw -O qcow2 " + (options.isEmpty() ? "" : "-o " + options + " ")
                + raw + " " + image).split(" "));
        return image;
    }
}
