package dev.ferry.disk.qcow2;

import static dev.ferry.disk.DiskException.invalid;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A validated qcow2 header (versions 2 and 3). Everything the converter later trusts is
 * checked here: cluster size, table alignment and placement, table sizes against the virtual
 * size and (when known) the file size, and the features Ferry refuses.
 */
public record Qcow2Header(
        int version,
        int clusterBits,
        long virtualSize,
        long l1Offset,
        long l1Size,
        long refcountTableOffset,
        int refcountTableClusters,
        boolean extendedL2,
        CompressionType compressionType) {

    /** How compressed clusters are encoded (header field {@code compression_type}). */
    public enum CompressionType { ZLIB, ZSTD }

    public static final int MAGIC = 0x514649fb;
    public static final int MIN_CLUSTER_BITS = 9;
    public static final int MAX_CLUSTER_BITS = 21;
    /** qemu's QCOW_MAX_L1_SIZE: 32 MiB of L1 entries. */
    public static final long MAX_L1_BYTES = 32L << 20;
    /** Anything bigger is not a disk anyone can write (ext4's file limit is 16 TiB). */
    public static final long MAX_VIRTUAL_SIZE = 1L << 56;
    static final long OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;

    private static final int V2_HEADER_LENGTH = 72;
    private static final int V3_HEADER_LENGTH = 104;
    private static final long INCOMPAT_DIRTY = 1;
    private static final long INCOMPAT_CORRUPT = 1 << 1;
    private static final long INCOMPAT_DATA_FILE = 1 << 2;
    private static final long INCOMPAT_COMPRESSION = 1 << 3;
    private static final long INCOMPAT_EXTL2 = 1 << 4;
    private static final long INCOMPAT_KNOWN = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_DATA_FILE
            | INCOMPAT_COMPRESSION | INCOMPAT_EXTL2;

    /**
     * Parses and validates the header.
     *
     * @param head the image's first bytes (at least 104, ideally the whole first cluster)
     * @param fileSize the image file's size, or -1 when streaming an unknown length
     */
    public static Qcow2Header parse(byte[] head, int length, long fileSize) throws DiskException {
        if (length < V2_HEADER_LENGTH) {
            throw invalid("qcow2: header truncated: %d bytes, need at least %d", length, V2_HEADER_LENGTH);
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, length);
        if (b.getInt(0) != MAGIC) {
            throw invalid("qcow2: bad magic 0x%08x", b.getInt(0));
        }
        int version = b.getInt(4);
        if (version != 2 && version != 3) {
            throw new DiskException(DiskException.Reason.UNSUPPORTED_FORMAT,
                    "qcow2: version " + version + " is not supported (expected 2 or 3)");
        }
        long backingOffset = b.getLong(8);
        int backingLength = b.getInt(16);
        if (backingOffset != 0) {
            throw new DiskException(DiskException.Reason.UNSUPPORTED_FORMAT, "qcow2: image has a backing file"
                    + backingName(head, length, backingOffset, backingLength)
                    + "; flatten it first with `qemu-img convert -O qcow2 IMAGE FLAT.qcow2`");
        }
        int clusterBits = b.getInt(20);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw invalid("qcow2: cluster_bits %d out of range (%d to %d: 512 B to 2 MiB clusters)",
                    clusterBits, MIN_CLUSTER_BITS, MAX_CLUSTER_BITS);
        }
        long virtualSize = b.getLong(24);
        if (virtualSize < 0 || virtualSize > MAX_VIRTUAL_SIZE) {
            throw invalid("qcow2: virtual size %s is larger than the %s Ferry accepts",
                    Long.toUnsignedString(virtualSize), Sizes.human(MAX_VIRTUAL_SIZE));
        }
        int cryptMethod = b.getInt(32);
        if (cryptMethod != 0) {
            throw new DiskException(DiskException.Reason.UNSUPPORTED_FORMAT, "qcow2: image is encrypted ("
                    + (cryptMethod == 1 ? "AES" : cryptMethod == 2 ? "LUKS" : "method " + cryptMethod)
                    + "); decrypt it first with `qemu-img convert --object secret,... -O qcow2`");
        }
        long l1Size = Integer.toUnsignedLong(b.getInt(36));
        long l1Offset = b.getLong(40);
        long refcountTableOffset = b.getLong(48);
        int refcountTableClusters = b.getInt(56);

        boolean extendedL2 = false;
        CompressionType compression = CompressionType.ZLIB;
        if (version == 3) {
            if (length < V3_HEADER_LENGTH) {
                throw invalid("qcow2: v3 header truncated: %d bytes, need %d", length, V3_HEADER_LENGTH);
            }
            long incompatible = b.getLong(72);
            checkIncompatible(incompatible);
            int refcountOrder = b.getInt(96);
            if (refcountOrder < 0 || refcountOrder > 6) {
                throw invalid("qcow2: refcount_order %d out of range (0 to 6)", refcountOrder);
            }
            int headerLength = b.getInt(100);
            if (headerLength < V3_HEADER_LENGTH || headerLength > (1 << clusterBits)) {
                throw invalid("qcow2: header_length %d out of range (%d to the %d-byte cluster)",
                        headerLength, V3_HEADER_LENGTH, 1 << clusterBits);
            }
            extendedL2 = (incompatible & INCOMPAT_EXTL2) != 0;
            if (extendedL2 && clusterBits < 14) {
                throw invalid("qcow2: extended L2 entries need clusters of at least 16 KiB, found %d bytes",
                        1 << clusterBits);
            }
            compression = compressionType(b, length, headerLength, incompatible);
        }
        Qcow2Header header = new Qcow2Header(version, clusterBits, virtualSize, l1Offset, l1Size,
                refcountTableOffset, refcountTableClusters, extendedL2, compression);
        header.checkTables(fileSize);
        return header;
    }

    private static void checkIncompatible(long incompatible) throws DiskException {
        if ((incompatible & INCOMPAT_CORRUPT) != 0) {
            throw invalid("qcow2: image is marked corrupt; repair it with `qemu-img check -r all` first");
        }
        if ((incompatible & INCOMPAT_DATA_FILE) != 0) {
            throw new DiskException(DiskException.Reason.UNSUPPORTED_FORMAT,
                    "qcow2: image keeps its data in an external data file, which is not supported;"
                            + " convert it to a self-contained qcow2 or raw first");
        }
        long unknown = incompatible & ~INCOMPAT_KNOWN;
        if (unknown != 0) {
            throw new DiskException(DiskException.Reason.UNSUPPORTED_FORMAT,
                    String.format("qcow2: unknown incompatible feature bits 0x%x", unknown));
        }
    }

    private static CompressionType compressionType(ByteBuffer b, int length, int headerLength, long incompatible)
            throws DiskException {
        int type = headerLength > V3_HEADER_LENGTH && length > V3_HEADER_LENGTH ? b.get(V3_HEADER_LENGTH) & 0xff : 0;
        if (type != 0 && (incompatible & INCOMPAT_COMPRESSION) == 0) {
            throw invalid("qcow2: compression_type %d set without the compression-type feature bit", type);
        }
        return switch (type) {
            case 0 -> CompressionType.ZLIB;
            case 1 -> CompressionType.ZSTD;
            default -> throw new DiskException(DiskException.Reason.UNSUPPORTED_FORMAT,
                    "qcow2: unknown compression_type " + type + " (expected 0 zlib or 1 zstd)");
        };
    }

    private static String backingName(byte[] head, int length, long offset, int nameLength) {
        if (offset > 0 && nameLength > 0 && nameLength <= 1023 && offset + nameLength <= length) {
            return " (" + new String(head, (int) offset, nameLength, StandardCharsets.UTF_8) + ")";
        }
        return "";
    }

    private void checkTables(long fileSize) throws DiskException {
        long needed = neededL1Entries();
        String disk = Sizes.human(virtualSize) + " virtual disk";
        if (l1Size < needed) {
            throw invalid("qcow2: L1 table of %d entries is too small for a %s (needs %d)", l1Size, disk, needed);
        }
        if (l1Size > needed && (l1Size * 8 > MAX_L1_BYTES || beyond(l1Offset, l1Size * 8, fileSize))) {
            throw invalid("qcow2: L1 table of %d entries exceeds what a %s needs (%d)", l1Size, disk, needed);
        }
        checkTable("L1 table", l1Offset, needed * 8, fileSize);
        checkTable("refcount table", refcountTableOffset, (long) refcountTableClusters << clusterBits, fileSize);
    }

    private void checkTable(String name, long offset, long bytes, long fileSize) throws DiskException {
        if (bytes == 0 && name.startsWith("L1")) {
            return;
        }
        if (offset < clusterSize() || (offset & (clusterSize() - 1)) != 0 || offset > MAX_VIRTUAL_SIZE) {
            throw invalid("qcow2: %s offset 0x%x is invalid (must be cluster-aligned and past the header cluster)",
                    name, offset);
        }
        if (bytes < 0 || beyond(offset, bytes, fileSize)) {
            throw invalid("qcow2: %s at offset 0x%x (%d bytes) extends past the end of the %d-byte image (truncated?)",
                    name, offset, bytes, fileSize);
        }
    }

    private static boolean beyond(long offset, long bytes, long fileSize) {
        return fileSize >= 0 && (offset > fileSize || bytes > fileSize - offset);
    }

    public int clusterSize() {
        return 1 << clusterBits;
    }

    /** Bytes per L2 entry: 8, or 16 with extended L2 (entry + subcluster bitmap). */
    public int l2EntryBytes() {
        return extendedL2 ? 16 : 8;
    }

    public int l2Entries() {
        return clusterSize() / l2EntryBytes();
    }

    /** Guest bytes mapped by one L2 table. */
    public long l2Coverage() {
        return (long) l2Entries() << clusterBits;
    }

    public long neededL1Entries() {
        return (virtualSize + l2Coverage() - 1) / l2Coverage();
    }

    public int subclusterSize() {
        return extendedL2 ? clusterSize() / 32 : clusterSize();
    }
}
