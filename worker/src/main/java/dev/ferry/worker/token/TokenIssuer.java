package dev.ferry.worker.token;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Signs upload tokens: a JWS whose claims name the namespace, PVC and operation, valid for a short time. */
public final class TokenIssuer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrivateKey key;
    private final Clock clock;
    private final Duration lifetime;
    private final String algorithm;

    public TokenIssuer(PrivateKey key, Clock clock, Duration lifetime) {
        this.key = key;
        this.clock = clock;
        this.lifetime = lifetime;
        this.algorithm = Jws.algorithm(key);
    }

    public TokenIssuer(PrivateKey key) {
        this(key, Clock.systemUTC(), UploadToken.LIFETIME);
    }

    public String issue(String namespace, String pvcName) {
        Instant now = clock.instant();
        return sign(new UploadToken(namespace, pvcName, UploadToken.UPLOAD, now, now.plus(lifetime)));
    }

    String sign(UploadToken token) {
        return sign(JSON.createObjectNode()
                .put("namespace", token.namespace())
                .put("name", token.name())
                .put("operation", token.operation())
                .put("iat", token.issuedAt().getEpochSecond())
                .put("exp", token.expiresAt().getEpochSecond()));
    }

    /** Signs {@code claims} (plus iat and exp, valid for {@code validFor}): tokens other than upload tokens (clones). */
    public String sign(ObjectNode claims, Duration validFor) {
        Instant now = clock.instant();
        return sign(claims.deepCopy().put("iat", now.getEpochSecond()).put("exp", now.plus(validFor).getEpochSecond()));
    }

    private String sign(ObjectNode claims) {
        ObjectNode header = JSON.createObjectNode().put("alg", algorithm).put("typ", "JWT");
        String signingInput = encode(header) + "." + encode(claims);
        try {
            Signature signature = Signature.getInstance(Jws.signatureName(algorithm));
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Jws.ENCODER.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
    }

    private static String encode(ObjectNode node) {
        return Jws.ENCODER.encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
    }
}
