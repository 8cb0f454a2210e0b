package dev.ferry.controllers.clone;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CDI's DataVolume admission check for clones ({@code datavolume-mutate.go}, {@code authorize.go}):
 * a clone from another namespace is allowed when the requesting user may {@code create
 * datavolumes/source} there, or create Pods (PVC sources) — or Pods and claims (snapshot sources);
 * the DataVolume is then stamped with a clone token. Same-namespace clones need nothing.
 */
public final class CloneAdmission {
    /** Asks the cluster whether {@code user} may {@code verb} {@code group/resource[/subresource]} {@code name} in {@code namespace}. */
    @FunctionalInterface
    public interface Access {
        boolean allowed(UserInfo user, String namespace, String verb, String group, String resource, String subresource, String name);
    }

    /** Finds the source a DataSource points at (a {@code sourceRef}), or null. */
    @FunctionalInterface
    public interface DataSources {
        DataVolumeSource resolve(String namespace, String name);
    }

    /** The answer: allowed with a JSON patch (or none), or refused with a message. */
    public record Verdict(boolean allowed, String patch, String message) {
        static final Verdict ALLOWED = new Verdict(true, null, null);

        /** The patch as an AdmissionReview carries it: base64 of the JSON. */
        public String patchBase64() {
            return patch == null ? null : Base64.getEncoder().encodeToString(patch.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Access access;
    private final DataSources dataSources;
    private final Supplier<CloneTokens> tokens;

    /** {@code tokens}: the signer, asked for only when a token is issued. */
    public CloneAdmission(Access access, DataSources dataSources, Supplier<CloneTokens> tokens) {
        this.access = access;
        this.dataSources = dataSources;
        this.tokens = tokens;
    }

    /** An admission that only checks ({@link #refusal}), issuing no tokens. */
    public static CloneAdmission checkOnly(Access access, DataSources dataSources) {
        return new CloneAdmission(access, dataSources, null);
    }

    /** Reviews the creation of {@code dv} in {@code namespace} by {@code user}. */
    public Verdict review(DataVolume dv, String namespace, UserInfo user) {
        CrossNamespaceSource source = crossNamespaceSource(dv, namespace);
        if (source == null) {
            return Verdict.ALLOWED;
        }
        if (!authorized(user, source.namespace(), source.ref().name, source.snapshot())) {
            return new Verdict(false, null, denial(user, source.namespace()));
        }
        String token = tokens.get().admission(new CloneTokens.Grant(source.snapshot() ? "volumesnapshots" : "persistentvolumeclaims",
                source.namespace(), source.ref().name, namespace, dv.getMetadata().getName(), null));
        return new Verdict(true, patch(dv.getMetadata().getAnnotations(), token), null);
    }

    /**
     * Why {@code user} may not create {@code dv} in {@code namespace} (CDI's message), or null: the
     * check alone, for callers that create on a user's behalf (a VM's DataVolume templates, for its
     * service account, as KubeVirt's {@code AuthorizeSA}).
     */
    public String refusal(DataVolume dv, String namespace, UserInfo user) {
        CrossNamespaceSource source = crossNamespaceSource(dv, namespace);
        return source == null || authorized(user, source.namespace(), source.ref().name, source.snapshot()) ? null
                : denial(user, source.namespace());
    }

    /** The clone source in another namespace {@code dv} reads (through its DataSource), or null. */
    private CrossNamespaceSource crossNamespaceSource(DataVolume dv, String namespace) {
        DataVolumeSource source = dv.getSpec() == null ? null : dv.getSpec().source;
        if (source == null && dv.getSpec() != null && dv.getSpec().sourceRef != null) {
            String refNamespace = dv.getSpec().sourceRef.namespace != null ? dv.getSpec().sourceRef.namespace : namespace;
            source = dataSources.resolve(refNamespace, dv.getSpec().sourceRef.name);
        }
        if (source == null || (source.pvc == null && source.snapshot == null)) {
            return null;
        }
        boolean snapshot = source.pvc == null;
        DataVolumeSource.ObjectRef ref = snapshot ? source.snapshot : source.pvc;
        String sourceNamespace = ref.namespace == null || ref.namespace.isEmpty() ? namespace : ref.namespace;
        return sourceNamespace.equals(namespace) ? null : new CrossNamespaceSource(sourceNamespace, ref, snapshot);
    }

    private record CrossNamespaceSource(String namespace, DataVolumeSource.ObjectRef ref, boolean snapshot) {
    }

    private static String denial(UserInfo user, String sourceNamespace) {
        return "User " + user.getUsername() + " has insufficient permissions in clone source namespace " + sourceNamespace;
    }

    private boolean authorized(UserInfo user, String namespace, String name, boolean snapshot) {
        if (access.allowed(user, namespace, "create", "cdi.kubevirt.io", "datavolumes", "source", name)) {
            return true;
        }
        boolean pods = access.allowed(user, namespace, "create", "", "pods", null, null);
        return snapshot ? pods && access.allowed(user, namespace, "create", "", "persistentvolumeclaims", null, null) : pods;
    }

    /** A JSON patch adding the token annotation (and the annotations map when there is none or it is empty). */
    static String patch(Map<String, String> annotations, String token) {
        ArrayNode patch = JSON.createArrayNode();
        if (annotations == null || annotations.isEmpty()) {
            patch.addObject().put("op", "add").put("path", "/metadata/annotations").putObject("value").put(CloneNames.ANN_TOKEN, token);
        } else {
            patch.addObject().put("op", "add").put("path", "/metadata/annotations/" + CloneNames.ANN_TOKEN.replace("~", "~0")
                    .replace("/", "~1")).put("value", token);
        }
        return patch.toString();
    }
}
