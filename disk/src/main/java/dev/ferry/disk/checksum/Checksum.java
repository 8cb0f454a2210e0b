package dev.ferry.disk.checksum;

import dev.ferry.disk.DiskException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/** An expected checksum of the source bytes in CDI's {@code algo:hex} form (md5, sha1, sha256, sha512). */
public record Checksum(String algorithm, String hex) {
    private static final Map<String, String> ALGORITHMS = Map.of(
            "md5", "MD5", "sha1", "SHA-1", "sha256", "SHA-256", "sha512", "SHA-512");
    private static final Map<String, Integer> HEX_LENGTHS = Map.of("md5", 32, "sha1", 40, "sha256", 64, "sha512", 128);

    public static Checksum parse(String text) throws DiskException {
        int colon = text.indexOf(':');
        String algorithm = colon < 0 ? "" : text.substring(0, colon).toLowerCase(Locale.ROOT);
        String hex = colon < 0 ? "" : text.substring(colon + 1).toLowerCase(Locale.ROOT);
        if (!ALGORITHMS.containsKey(algorithm)) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "checksum '" + text
                    + "' must be algo:hex with algo one of md5, sha1, sha256, sha512");
        }
        if (hex.length() != HEX_LENGTHS.get(algorithm) || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, String.format(
                    "checksum '%s': a %s digest is %d hex digits", text, algorithm, HEX_LENGTHS.get(algorithm)));
        }
        return new Checksum(algorithm, hex);
    }

    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(ALGORITHMS.get(algorithm));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + algorithm, e);
        }
    }

    /** Compares the finished digest; fails with both values when they differ. */
    public void verify(MessageDigest digest) throws DiskException {
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(hex)) {
            throw new DiskException(DiskException.Reason.CHECKSUM_MISMATCH, String.format(
                    "checksum mismatch: expected %s:%s, the source has %s:%s", algorithm, hex, algorithm, actual));
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
