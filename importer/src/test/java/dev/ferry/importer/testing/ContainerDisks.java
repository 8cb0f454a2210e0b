package dev.ferry.importer.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Image layers as KubeVirt's containerDisk images hold them: a gzip'd tar with the disk under disk/. */
public final class ContainerDisks {
    public static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    private ContainerDisks() {
    }

    /** A tar.gz layer with one file {@code name} holding {@code content}. */
    public static byte[] layer(String name, byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }
}
