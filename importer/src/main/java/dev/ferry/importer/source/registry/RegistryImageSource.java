package dev.ferry.importer.source.registry;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.ferry.disk.DiskException;
import dev.ferry.disk.source.ImageSource;
import dev.ferry.disk.source.RandomAccessInput;
import dev.ferry.disk.source.StreamChannel;
import dev.ferry.importer.source.remote.RemoteImageSource;
import dev.ferry.importer.source.remote.RetryPolicy;
import dev.ferry.importer.source.remote.StallGuard;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A containerDisk image in a registry: the disk is the file under {@code /disk/} in the image's
 * layers. Layers are read in order, each downloaded like any remote source (parallel ranges,
 * resumed), decompressed and walked as a tar until the disk entry is found; that entry is the
 * image stream. Every layer read is verified against its sha256 digest, the one holding the
 * disk when its channel is closed, so a tampered layer fails the import.
 */
public final class RegistryImageSource implements ImageSource {
    private final RegistryClient client;
    private final ImageReference image;
    private final ManifestResolver resolver;
    private final RetryPolicy retry;
    private final StallGuard guard;
    private final int parallel;

    public RegistryImageSource(RegistryClient client, ImageReference image, String architecture, RetryPolicy retry,
            StallGuard guard, int parallel) {
        this.client = client;
        this.image = image;
        this.resolver = new ManifestResolver(client, architecture == null ? ManifestResolver.hostArchitecture() : architecture);
        this.retry = retry;
        this.guard = guard;
        this.parallel = parallel;
    }

    @Override
    public ReadableByteChannel open() throws IOException {
        List<Descriptor> layers = resolver.layers(image);
        for (Descriptor layer : layers) {
            RemoteImageSource blob = RemoteImageSource.open(new BlobRangeSource(client, layer), retry, guard, parallel);
            VerifiedLayer verified = new VerifiedLayer(Channels.newInputStream(blob.open()), layer);
            try {
                TarArchiveInputStream tar = new TarArchiveInputStream(decode(verified));
                TarArchiveEntry entry;
                while ((entry = nextEntry(tar, layer)) != null) {
                    if (isDisk(entry)) {
                        return new DiskEntryChannel(tar, verified);
                    }
                }
                verified.verify();
            } catch (IOException e) {
                throw explain(e, verified);
            } finally {
                verified.closeUnlessHandedOff();
            }
        }
        throw new DiskException(DiskException.Reason.INVALID_IMAGE, image + " holds no disk: a containerDisk image"
                + " keeps its disk as the one file under /disk/");
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, Descriptor layer) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IllegalArgumentException e) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, "layer " + layer.digest()
                    + " is not a valid tar: " + e.getMessage());
        }
    }

    /**
     * A layer that fails to decode was most likely altered: check its digest so the error names
     * the real cause; if the digest holds, the layer itself is malformed.
     */
    static IOException explain(IOException failure, VerifiedLayer layer) {
        if (failure instanceof DiskException disk && disk.getMessage().contains("failed verification")) {
            return failure;
        }
        try {
            layer.verify();
        } catch (DiskException mismatch) {
            mismatch.addSuppressed(failure);
            return mismatch;
        } catch (IOException unreadable) {
            failure.addSuppressed(unreadable);
        }
        return failure;
    }

    static boolean isDisk(TarArchiveEntry entry) {
        String name = entry.getName().replaceFirst("^\\./", "").replaceFirst("^/", "");
        return entry.isFile() && name.startsWith("disk/") && name.length() > 5 && name.indexOf('/', 5) < 0;
    }

    /** Layers are gzip (the usual), zstd or plain tar: decided by their first bytes, not the media type. */
    private static InputStream decode(InputStream layer) throws IOException {
        BufferedInputStream in = new BufferedInputStream(layer, 256 * 1024);
        in.mark(4);
        int b0 = in.read();
        int b1 = in.read();
        int b2 = in.read();
        int b3 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new GZIPInputStream(in, 256 * 1024);
        }
        if (b0 == 0x28 && b1 == 0xb5 && b2 == 0x2f && b3 == 0xfd) {
            return new ZstdInputStreamNoFinalizer(in);
        }
        return in;
    }

    @Override
    public Optional<RandomAccessInput> randomAccess() {
        return Optional.empty();
    }

    @Override
    public long size() {
        return -1;
    }

    @Override
    public String describe() {
        return image.toString();
    }

    @Override
    public boolean requiresFullRead() {
        return true;
    }

    @Override
    public void close() {
        guard.close();
    }

    /** The disk entry's bytes; closing reads the rest of the layer and verifies its digest. */
    private static final class DiskEntryChannel extends StreamChannel {
        private final TarArchiveInputStream tar;
        private final VerifiedLayer layer;
        private boolean closed;

        DiskEntryChannel(TarArchiveInputStream tar, VerifiedLayer layer) {
            super(tar);
            this.tar = tar;
            this.layer = layer;
            layer.handOff();
        }

        @Override
        protected IOException translate(IOException failure) {
            return explain(failure, layer);
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                while (tar.getNextEntry() != null) {
                    // walk to the end of the archive
                }
                layer.verify();
            } catch (IOException e) {
                throw explain(e, layer);
            } finally {
                layer.close();
            }
        }
    }
}
