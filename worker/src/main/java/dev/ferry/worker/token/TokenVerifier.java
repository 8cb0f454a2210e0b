package dev.ferry.worker.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Checks an upload token's signature, expiry and operation. The upload proxy holds only the
 * public key; a token it accepts names the one PVC it may write.
 */
public final class TokenVerifier {
    /** Far more than any token Ferry issues; longer input is refused before it is decoded. */
    static final int MAX_TOKEN = 4096;
    /** Clock skew tolerated between issuer and proxy. */
    static final Duration SKEW = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PublicKey key;
    private final Clock clock;
    private final String algorithm;

    public TokenVerifier(PublicKey key, Clock clock) {
        this.key = key;
        this.clock = clock;
        this.algorithm = Jws.algorithm(key);
    }

    /** The upload the token grants; throws when it is malformed, forged, expired, or for something else. */
    public UploadToken verify(String token) throws TokenException {
        JsonNode claims = verifiedClaims(token);
        if (!UploadToken.UPLOAD.equals(claims.path("operation").asText(""))) {
            throw TokenException.forbidden("the token grants '" + claims.path("operation").asText("") + "', not an upload");
        }
        return check(claims);
    }

    /** A token's claims once its signature and times check out (any operation); throws otherwise. */
    public JsonNode verifiedClaims(String token) throws TokenException {
        if (token == null || token.isEmpty()) {
            throw TokenException.unauthorized("no upload token: send 'Authorization: Bearer <token>'");
        }
        if (token.length() > MAX_TOKEN) {
            throw TokenException.unauthorized("the upload token is longer than " + MAX_TOKEN + " characters");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw TokenException.unauthorized("the upload token is not a signed token (header.claims.signature)");
        }
        JsonNode header = decode(parts[0], "header");
        if (!algorithm.equals(header.path("alg").asText())) {
            throw TokenException.unauthorized("the upload token is signed with '" + header.path("alg").asText()
                    + "', this proxy expects " + algorithm);
        }
        checkSignature(parts);
        JsonNode claims = decode(parts[1], "claims");
        checkTimes(claims);
        return claims;
    }

    private void checkSignature(String[] parts) throws TokenException {
        try {
            Signature signature = Signature.getInstance(Jws.signatureName(algorithm));
            signature.initVerify(key);
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(Jws.DECODER.decode(parts[2]))) {
                throw TokenException.unauthorized("the upload token's signature is not valid: request a new token");
            }
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw TokenException.unauthorized("the upload token's signature is not valid: request a new token");
        }
    }

    private void checkTimes(JsonNode claims) throws TokenException {
        if (!claims.path("exp").canConvertToLong()) {
            throw TokenException.unauthorized("the token has no expiry");
        }
        Instant expires = Instant.ofEpochSecond(claims.path("exp").asLong());
        Instant issued = Instant.ofEpochSecond(claims.path("iat").asLong(0));
        Instant now = clock.instant();
        if (now.isAfter(expires.plus(SKEW))) {
            throw TokenException.unauthorized("the upload token expired at " + expires + " (now " + now
                    + "): request a new token");
        }
        if (issued.isAfter(now.plus(SKEW))) {
            throw TokenException.unauthorized("the upload token is issued in the future (" + issued + ")");
        }
    }

    private UploadToken check(JsonNode claims) throws TokenException {
        String namespace = claims.path("namespace").asText("");
        String name = claims.path("name").asText("");
        if (namespace.isEmpty() || name.isEmpty()) {
            throw TokenException.unauthorized("the upload token lacks namespace or name");
        }
        return new UploadToken(namespace, name, claims.path("operation").asText(""), Instant.ofEpochSecond(claims.path("iat").asLong(0)),
                Instant.ofEpochSecond(claims.path("exp").asLong()));
    }

    private static JsonNode decode(String part, String what) throws TokenException {
        try {
            JsonNode node = JSON.readTree(Jws.DECODER.decode(part));
            if (node == null || !node.isObject()) {
                throw TokenException.unauthorized("the upload token's " + what + " is not a JSON object");
            }
            return node;
        } catch (IllegalArgumentException | IOException e) {
            throw TokenException.unauthorized("the upload token's " + what + " is not valid base64url JSON");
        }
    }
}
