package dev.ferry.importer.source.registry;

import dev.ferry.disk.DiskException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A layer's bytes, hashed as they are read; {@link #verify()} reads what is left and fails
 * unless the size and sha256 digest are exactly what the manifest promised.
 */
final class VerifiedLayer extends InputStream {
    private final InputStream in;
    private final Descriptor layer;
    private final MessageDigest digest;
    private long count;
    private boolean verified;
    private boolean handedOff;

    VerifiedLayer(InputStream in, Descriptor layer) {
        this.in = in;
        this.layer = layer;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, (int) Math.min(len, Math.max(1, layer.size() + 1 - count)));
        if (n > 0) {
            digest.update(b, off, n);
            count += n;
            if (count > layer.size()) {
                throw new DiskException(DiskException.Reason.INVALID_IMAGE, "layer " + layer.digest()
                        + " is longer than the " + layer.size() + " bytes its manifest declares (tampered?)");
            }
        }
        return n;
    }

    /** The layer now belongs to the disk channel, which closes it. */
    void handOff() {
        handedOff = true;
    }

    void closeUnlessHandedOff() throws IOException {
        if (!handedOff) {
            close();
        }
    }

    void verify() throws IOException {
        if (verified) {
            return;
        }
        verified = true;
        byte[] rest = new byte[64 * 1024];
        while (read(rest, 0, rest.length) >= 0) {
            // hash what the decoder did not need
        }
        String actual = "sha256:" + HexFormat.of().formatHex(digest.digest());
        if (count != layer.size() || !actual.equals(layer.digest())) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, String.format(
                    "layer %s failed verification: received %d bytes with digest %s (expected %d bytes); the layer"
                            + " was tampered with or corrupted", layer.digest(), count, actual, layer.size()));
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
