package dev.ferry.disk.qcow2;

import static dev.ferry.disk.DiskException.invalid;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.ferry.disk.DiskException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses one compressed qcow2 cluster into exactly one cluster, as qemu does: raw
 * deflate (zlib type) or a single zstd frame, trailing sector padding ignored. Output is
 * bounded by the cluster size; data that would inflate beyond it is refused.
 */
final class ClusterInflater {
    private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(() -> new Inflater(true));

    private ClusterInflater() {
    }

    /**
     * Inflates into {@code out} (its remaining bytes are the cluster, a direct buffer for zlib
     * so the write needs no copy); on return {@code out} is flipped, holding the cluster.
     */
    static void inflate(Qcow2Header.CompressionType type, byte[] in, int inLength, ByteBuffer out, long hostOffset)
            throws DiskException {
        if (type == Qcow2Header.CompressionType.ZSTD) {
            byte[] cluster = new byte[out.remaining()];
            zstd(in, inLength, cluster, hostOffset);
            out.put(cluster).flip();
        } else {
            zlib(in, inLength, out, hostOffset);
        }
    }

    private static void zlib(byte[] in, int inLength, ByteBuffer out, long hostOffset) throws DiskException {
        Inflater inflater = INFLATERS.get();
        inflater.reset();
        inflater.setInput(in, 0, inLength);
        int clusterSize = out.remaining();
        try {
            while (out.hasRemaining()) {
                int n = inflater.inflate(out);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
            if (out.hasRemaining()) {
                throw invalid("qcow2: compressed cluster at host offset 0x%x inflates to %d bytes, expected %d",
                        hostOffset, out.position(), clusterSize);
            }
            if (!inflater.finished() && inflater.inflate(new byte[1]) > 0) {
                throw invalid("qcow2: compressed cluster at host offset 0x%x inflates beyond the %d-byte cluster",
                        hostOffset, clusterSize);
            }
            out.flip();
        } catch (DataFormatException e) {
            throw invalid("qcow2: compressed cluster at host offset 0x%x is not valid deflate data: %s",
                    hostOffset, e.getMessage());
        }
    }

    private static void zstd(byte[] in, int inLength, byte[] out, long hostOffset) throws DiskException {
        try {
            long frame = Zstd.findFrameCompressedSize(in, 0, inLength);
            long produced = Zstd.decompressByteArray(out, 0, out.length, in, 0, (int) frame);
            if (produced != out.length) {
                throw invalid("qcow2: zstd cluster at host offset 0x%x decompresses to %d bytes, expected %d",
                        hostOffset, produced, out.length);
            }
        } catch (ZstdException e) {
            throw invalid("qcow2: zstd cluster at host offset 0x%x is invalid or inflates beyond the %d-byte cluster: %s",
                    hostOffset, out.length, e.getMessage());
        }
    }
}
