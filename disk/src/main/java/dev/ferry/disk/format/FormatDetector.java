package dev.ferry.disk.format;

import java.nio.charset.StandardCharsets;

/**
 * Detects an image's format from its first bytes. Anything unrecognised is raw, as for
 * qemu-img. Needs at most {@link #PROBE_BYTES} bytes (an ISO's volume descriptor sits at 32 KiB).
 */
public final class FormatDetector {
    public static final int PROBE_BYTES = 64 * 1024;

    private static final int ISO_MAGIC_OFFSET = 0x8001;
    private static final int TAR_MAGIC_OFFSET = 257;
    private static final int VDI_SIGNATURE_OFFSET = 0x40;

    private FormatDetector() {
    }

    public static ImageFormat detect(byte[] head, int length) {
        if (startsWith(head, length, 0, 'Q', 'F', 'I', 0xfb)) {
            return ImageFormat.QCOW2;
        }
        if (startsWith(head, length, 0, 0x1f, 0x8b)) {
            return ImageFormat.GZIP;
        }
        if (startsWith(head, length, 0, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
            return ImageFormat.XZ;
        }
        if (startsWith(head, length, 0, 0x28, 0xb5, 0x2f, 0xfd)) {
            return ImageFormat.ZSTD;
        }
        if (startsWith(head, length, 0, 'K', 'D', 'M', 'V') || ascii(head, length, 0, "# Disk DescriptorFile")) {
            return ImageFormat.VMDK;
        }
        if (ascii(head, length, 0, "vhdxfile")) {
            return ImageFormat.VHDX;
        }
        if (ascii(head, length, 0, "conectix")) {
            return ImageFormat.VHD;
        }
        if (startsWith(head, length, VDI_SIGNATURE_OFFSET, 0x7f, 0x10, 0xda, 0xbe)) {
            return ImageFormat.VDI;
        }
        if (ascii(head, length, TAR_MAGIC_OFFSET, "ustar")) {
            return ImageFormat.TAR;
        }
        if (ascii(head, length, ISO_MAGIC_OFFSET, "CD001")) {
            return ImageFormat.ISO;
        }
        return ImageFormat.RAW;
    }

    private static boolean ascii(byte[] head, int length, int offset, String magic) {
        byte[] bytes = magic.getBytes(StandardCharsets.US_ASCII);
        if (offset + bytes.length > length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if (head[offset + i] != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] head, int length, int offset, int... magic) {
        if (offset + magic.length > length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[offset + i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
