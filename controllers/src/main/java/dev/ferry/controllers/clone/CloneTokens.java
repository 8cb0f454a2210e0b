package dev.ferry.controllers.clone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.worker.token.TokenException;
import dev.ferry.worker.token.TokenIssuer;
import dev.ferry.worker.token.TokenVerifier;
import java.time.Duration;
import java.util.Objects;

/**
 * CDI's clone tokens: the admission webhook signs, for a DataVolume it authorized, a short-lived
 * token naming the source and the target ({@value CloneNames#ANN_TOKEN}); the controller, before
 * it touches the source, checks it and swaps it for a long-lived one bound to the DataVolume's uid
 * ({@value CloneNames#ANN_EXTENDED_TOKEN}), as CDI's controller does.
 */
public final class CloneTokens {
    static final Duration ADMISSION = Duration.ofMinutes(5);
    static final Duration EXTENDED = Duration.ofDays(3650);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TokenIssuer issuer;
    private final TokenVerifier verifier;

    public CloneTokens(TokenIssuer issuer, TokenVerifier verifier) {
        this.issuer = issuer;
        this.verifier = verifier;
    }

    /** What a token grants: cloning {@code resource} {@code namespace/name} into {@code target}. */
    public record Grant(String resource, String namespace, String name, String targetNamespace, String targetName, String uid) {
    }

    public String admission(Grant grant) {
        return issuer.sign(claims(grant), ADMISSION);
    }

    public String extended(Grant grant) {
        return issuer.sign(claims(grant), EXTENDED);
    }

    /** Why {@code token} does not grant {@code wanted} (uid checked when {@code wanted} names one), or null. */
    public String problem(String token, Grant wanted) {
        if (token == null) {
            return "no clone token";
        }
        JsonNode claims;
        try {
            claims = verifier.verifiedClaims(token);
        } catch (TokenException e) {
            return "the clone token is not valid: " + e.getMessage();
        }
        JsonNode params = claims.path("params");
        Grant granted = new Grant(claims.path("resource").asText(null), claims.path("namespace").asText(null),
                claims.path("name").asText(null), params.path("targetNamespace").asText(null), params.path("targetName").asText(null),
                params.path("uid").asText(null));
        boolean same = "Clone".equals(claims.path("operation").asText()) && Objects.equals(granted.resource(), wanted.resource())
                && Objects.equals(granted.namespace(), wanted.namespace()) && Objects.equals(granted.name(), wanted.name())
                && Objects.equals(granted.targetNamespace(), wanted.targetNamespace())
                && Objects.equals(granted.targetName(), wanted.targetName())
                && (wanted.uid() == null || wanted.uid().equals(granted.uid()));
        return same ? null : "the clone token grants another clone (" + granted + ")";
    }

    private static ObjectNode claims(Grant grant) {
        ObjectNode claims = JSON.createObjectNode().put("operation", "Clone").put("resource", grant.resource())
                .put("namespace", grant.namespace()).put("name", grant.name());
        ObjectNode params = claims.putObject("params").put("targetNamespace", grant.targetNamespace()).put("targetName", grant.targetName());
        if (grant.uid() != null) {
            params.put("uid", grant.uid());
        }
        return claims;
    }
}
