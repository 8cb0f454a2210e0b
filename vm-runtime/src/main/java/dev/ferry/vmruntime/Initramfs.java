package dev.ferry.vmruntime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/** A minimal initramfs (newc cpio, gzip): busybox, an /init script, and kernel modules to insmod. */
public final class Initramfs {
    private Initramfs() {
    }

    public static void write(Path target, Path busybox, String init, List<Path> modules) throws IOException {
        try (OutputStream file = Files.newOutputStream(target);
             CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(new GZIPOutputStream(file), CpioConstants.FORMAT_NEW)) {
            for (String dir : List.of("bin", "dev", "proc", "sys", "modules")) {
                directory(cpio, dir);
            }
            entry(cpio, "bin/busybox", Files.readAllBytes(busybox), 0100755);
            entry(cpio, "init", init.getBytes(StandardCharsets.UTF_8), 0100755);
            for (Path module : modules) {
                entry(cpio, "modules/" + module.getFileName(), Files.readAllBytes(module), 0100644);
            }
        }
    }

    private static void directory(CpioArchiveOutputStream cpio, String name) throws IOException {
        CpioArchiveEntry entry = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        entry.setMode(040755);
        entry.setNumberOfLinks(2);
        cpio.putArchiveEntry(entry);
        cpio.closeArchiveEntry();
    }

    private static void entry(CpioArchiveOutputStream cpio, String name, byte[] content, int mode) throws IOException {
        CpioArchiveEntry entry = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, content.length);
        entry.setMode(mode);
        entry.setNumberOfLinks(1);
        cpio.putArchiveEntry(entry);
        cpio.write(content);
        cpio.closeArchiveEntry();
    }
}
