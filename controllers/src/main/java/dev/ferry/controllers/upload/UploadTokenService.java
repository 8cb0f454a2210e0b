package dev.ferry.controllers.upload;

import dev.ferry.api.upload.v1beta1.UploadTokenRequest;
import dev.ferry.worker.token.TokenIssuer;
import java.util.List;

/**
 * The UploadTokenRequest API's logic: who may ask (authorization by the cluster), for which
 * claim (it must be an upload target), and the signed token it gets.
 */
public final class UploadTokenService {
    /** Decides whether a user may request upload tokens in a namespace. */
    @FunctionalInterface
    public interface Authorizer {
        boolean allowed(String user, List<String> groups, String namespace);
    }

    /** Says why a claim cannot receive an upload, or null when it can. */
    @FunctionalInterface
    public interface UploadTargets {
        String problem(String namespace, String pvcName);
    }

    /** Says who a bearer token belongs to (null: nobody the cluster knows). */
    @FunctionalInterface
    public interface Authenticator {
        Identity authenticate(String token);
    }

    /** A caller as the cluster knows it. */
    public record Identity(String user, List<String> groups) {
    }

    /** A refused request: the HTTP status and a Kubernetes-style reason. */
    public static final class Refusal extends Exception {
        private final int status;
        private final String reason;

        Refusal(int status, String reason, String message) {
            super(message);
            this.status = status;
            this.reason = reason;
        }

        public int status() {
            return status;
        }

        public String reason() {
            return reason;
        }
    }

    private final Authorizer authorizer;
    private final UploadTargets targets;
    private final TokenIssuer issuer;

    public UploadTokenService(Authorizer authorizer, UploadTargets targets, TokenIssuer issuer) {
        this.authorizer = authorizer;
        this.targets = targets;
        this.issuer = issuer;
    }

    /** Answers {@code request} made by {@code user} in {@code namespace}: the request with {@code status.token} set. */
    public UploadTokenRequest answer(String user, List<String> groups, String namespace, UploadTokenRequest request)
            throws Refusal {
        if (user == null || user.isEmpty()) {
            throw new Refusal(401, "Unauthorized", "no authenticated user");
        }
        if (request == null || request.spec == null || request.spec.pvcName == null || request.spec.pvcName.isBlank()) {
            throw new Refusal(400, "BadRequest", "spec.pvcName is required");
        }
        if (!authorizer.allowed(user, groups, namespace)) {
            throw new Refusal(403, "Forbidden", "user \"" + user + "\" cannot create uploadtokenrequests."
                    + UploadTokenRequest.GROUP + " in the namespace \"" + namespace + "\"");
        }
        String problem = targets.problem(namespace, request.spec.pvcName);
        if (problem != null) {
            throw new Refusal(400, "BadRequest", problem);
        }
        UploadTokenRequest answer = new UploadTokenRequest();
        answer.metadata = request.metadata;
        answer.spec = request.spec;
        answer.status = new UploadTokenRequest.Status();
        answer.status.token = issuer.issue(namespace, request.spec.pvcName);
        return answer;
    }
}
