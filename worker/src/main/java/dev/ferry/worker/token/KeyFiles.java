package dev.ferry.worker.token;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The token signing key pair as PEM files (PKCS#8 private key, X.509 public key), as
 * {@code openssl genpkey -algorithm ed25519} writes them. Ed25519, RSA and EC keys are accepted.
 */
public final class KeyFiles {
    private static final String[] ALGORITHMS = {"Ed25519", "RSA", "EC"};

    private KeyFiles() {
    }

    public static PrivateKey privateKey(Path file) throws IOException {
        return privateKey(read(file), file.toString());
    }

    /** The private key in PEM {@code text}; {@code origin} names where it came from in errors. */
    public static PrivateKey privateKey(String text, String origin) throws IOException {
        byte[] der = pem(text, origin, "PRIVATE KEY");
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(origin + " holds no Ed25519, RSA or EC private key in PKCS#8 form");
    }

    public static PublicKey publicKey(Path file) throws IOException {
        return publicKey(read(file), file.toString());
    }

    /** The public key in PEM {@code text}; {@code origin} names where it came from in errors. */
    public static PublicKey publicKey(String text, String origin) throws IOException {
        byte[] der = pem(text, origin, "PUBLIC KEY");
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(origin + " holds no Ed25519, RSA or EC public key");
    }

    /** A new Ed25519 pair written to {@code dir} as {@code token.key} (mode 600) and {@code token.pub}. */
    public static KeyPair generate(Path dir) throws IOException {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Files.createDirectories(dir);
            Path key = dir.resolve("token.key");
            Files.deleteIfExists(key);
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, encode("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(dir.resolve("token.pub"), encode("PUBLIC KEY", pair.getPublic().getEncoded()));
            return pair;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate an Ed25519 key: " + e.getMessage(), e);
        }
    }

    /** PEM text of a DER block: {@code type} is CERTIFICATE, PRIVATE KEY, PUBLIC KEY … */
    public static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String read(Path file) throws IOException {
        if (Files.size(file) > 64 * 1024) {
            throw new IOException(file + " is too large to be a key");
        }
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    private static byte[] pem(String text, String origin, String type) throws IOException {
        if (text.length() > 64 * 1024) {
            throw new IOException(origin + " is too large to be a key");
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(origin + " has no '" + begin + "' block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IOException(origin + ": the " + type + " block is not valid base64");
        }
    }
}
