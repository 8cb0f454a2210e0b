package dev.ferry.worker.token;

import java.security.Key;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.util.Base64;

/** The JWS compact form (RFC 7515) with the two algorithms Ferry signs with: EdDSA (Ed25519) and RS256. */
final class Jws {
    static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Jws() {
    }

    /** The JWS {@code alg} for a key. */
    static String algorithm(Key key) {
        if (key instanceof EdECKey) {
            return "EdDSA";
        }
        if (key instanceof RSAKey) {
            return "RS256";
        }
        throw new IllegalArgumentException("upload tokens are signed with Ed25519 or RSA keys, not " + key.getAlgorithm());
    }

    /** The JCA signature name for a JWS {@code alg}. */
    static String signatureName(String algorithm) {
        return switch (algorithm) {
            case "EdDSA" -> "Ed25519";
            case "RS256" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("unsupported token algorithm " + algorithm);
        };
    }
}
