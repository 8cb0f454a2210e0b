package dev.ferry.controllers.runtime;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * X.509 certificates the controller issues itself — a CA, and server or client certificates it
 * signs — with EC P-256 keys and ECDSA-SHA256, written as DER by hand (the JDK can verify
 * certificates but has no public API to make them, and no dependency is worth that).
 */
public final class Certificates {
    private static final byte[] ECDSA_SHA256 = oid(1, 2, 840, 10045, 4, 3, 2);
    private static final byte[] COMMON_NAME = oid(2, 5, 4, 3);
    private static final byte[] BASIC_CONSTRAINTS = oid(2, 5, 29, 19);
    private static final byte[] KEY_USAGE = oid(2, 5, 29, 15);
    private static final byte[] EXTENDED_KEY_USAGE = oid(2, 5, 29, 37);
    private static final byte[] SUBJECT_ALT_NAME = oid(2, 5, 29, 17);
    private static final byte[] SERVER_AUTH = oid(1, 3, 6, 1, 5, 5, 7, 3, 1);
    private static final byte[] CLIENT_AUTH = oid(1, 3, 6, 1, 5, 5, 7, 3, 2);
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {
    }

    /** What a certificate is for. */
    public enum Use { CA, SERVER, CLIENT }

    /** A certificate and its key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
    }

    /** A self-signed CA named {@code name}, valid for {@code validity} from {@code now}. */
    public static Issued authority(String name, Instant now, Duration validity) {
        KeyPair pair = keyPair();
        return new Issued(sign(name, name, pair, pair.getPrivate(), Use.CA, List.of(), now, validity), pair.getPrivate());
    }

    /** A certificate for {@code commonName} signed by {@code ca}; {@code altNames} are DNS names or IP addresses. */
    public static Issued issue(Issued ca, String commonName, Use use, List<String> altNames, Instant now, Duration validity) {
        KeyPair pair = keyPair();
        String issuer = ca.certificate().getSubjectX500Principal().getName();
        String issuerCn = issuer.startsWith("CN=") ? issuer.substring(3) : issuer;
        return new Issued(sign(commonName, issuerCn, pair, ca.key(), use, altNames, now, validity), pair.getPrivate());
    }

    private static X509Certificate sign(String subject, String issuer, KeyPair pair, PrivateKey signer, Use use, List<String> altNames,
            Instant now, Duration validity) {
        try {
            byte[] algorithm = sequence(ECDSA_SHA256);
            byte[] tbs = sequence(explicit(0, integer(BigInteger.TWO)), integer(new BigInteger(64, RANDOM).add(BigInteger.ONE)),
                    algorithm, name(issuer), sequence(time(now.minus(Duration.ofMinutes(5))), time(now.plus(validity))),
                    name(subject), pair.getPublic().getEncoded(), explicit(3, extensions(use, altNames)));
            Signature signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(signer);
            signature.update(tbs);
            byte[] der = sequence(tbs, algorithm, bitString(signature.sign()));
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    private static byte[] extensions(Use use, List<String> altNames) {
        List<byte[]> extensions = new ArrayList<>();
        if (use == Use.CA) {
            extensions.add(extension(BASIC_CONSTRAINTS, true, sequence(tlv(0x01, new byte[] {(byte) 0xFF}))));
            // keyCertSign (bit 5) and cRLSign (bit 6)
            extensions.add(extension(KEY_USAGE, true, tlv(0x03, new byte[] {1, (byte) 0x06})));
        } else {
            extensions.add(extension(BASIC_CONSTRAINTS, true, sequence()));
            // digitalSignature (bit 0)
            extensions.add(extension(KEY_USAGE, true, tlv(0x03, new byte[] {7, (byte) 0x80})));
            extensions.add(extension(EXTENDED_KEY_USAGE, false, sequence(use == Use.SERVER ? SERVER_AUTH : CLIENT_AUTH)));
        }
        if (!altNames.isEmpty()) {
            List<byte[]> names = new ArrayList<>();
            for (String alt : altNames) {
                names.add(isAddress(alt) ? tlv(0x87, address(alt)) : tlv(0x82, alt.getBytes(StandardCharsets.US_ASCII)));
            }
            extensions.add(extension(SUBJECT_ALT_NAME, false, sequence(names.toArray(new byte[0][]))));
        }
        return sequence(extensions.toArray(new byte[0][]));
    }

    private static byte[] extension(byte[] oid, boolean critical, byte[] value) {
        return critical ? sequence(oid, tlv(0x01, new byte[] {(byte) 0xFF}), tlv(0x04, value)) : sequence(oid, tlv(0x04, value));
    }

    private static byte[] name(String commonName) {
        return sequence(tlv(0x31, sequence(COMMON_NAME, tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] time(Instant instant) {
        return tlv(0x17, UTC_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    private static boolean isAddress(String name) {
        return name.matches("[0-9.]+") || name.contains(":");
    }

    private static byte[] address(String ip) {
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
    }

    private static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    private static byte[] bitString(byte[] bits) {
        byte[] content = new byte[bits.length + 1];
        System.arraycopy(bits, 0, content, 1, bits.length);
        return tlv(0x03, content);
    }

    private static byte[] explicit(int tag, byte[] content) {
        return tlv(0xA0 | tag, content);
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return tlv(0x30, content.toByteArray());
    }

    private static byte[] oid(int... arcs) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.write(arcs[0] * 40 + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int arc = arcs[i];
            int[] groups = new int[5];
            int n = 0;
            do {
                groups[n++] = arc & 0x7F;
                arc >>>= 7;
            } while (arc > 0);
            for (int g = n - 1; g >= 0; g--) {
                content.write(groups[g] | (g > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, content.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** PEM text of a certificate. */
    public static String pem(X509Certificate certificate) {
        try {
            return dev.ferry.worker.token.KeyFiles.encode("CERTIFICATE", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM text of a private key (PKCS#8). */
    public static String pem(PrivateKey key) {
        return dev.ferry.worker.token.KeyFiles.encode("PRIVATE KEY", key.getEncoded());
    }
}
