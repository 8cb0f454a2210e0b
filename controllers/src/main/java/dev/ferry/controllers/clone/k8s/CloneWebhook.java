package dev.ferry.controllers.clone.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.cdi.v1beta1.DataSource;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.controllers.clone.CloneAdmission;
import dev.ferry.controllers.datasource.DataSourceReference;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/**
 * The DataVolume mutating admission webhook ({@value #PATH}, as CDI's): a DataVolume created to
 * clone from another namespace is reviewed by {@link CloneAdmission} for the requesting user —
 * refused with CDI's message, or stamped with a clone token.
 */
public final class CloneWebhook {
    public static final String PATH = "/datavolume-mutate";
    private static final Logger LOG = Logger.getLogger(CloneWebhook.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private final CloneAdmission admission;

    public CloneWebhook(CloneAdmission admission) {
        this.admission = admission;
    }

    /** The webhook of a cluster: access by SubjectAccessReview, DataSources and tokens from the cluster. */
    public static CloneWebhook of(KubernetesClient client, CloneAuthority authority) {
        return new CloneWebhook(new CloneAdmission(new SubjectAccess(client), dataSources(client), authority::tokens));
    }

    /** DataSources as the cluster resolves them (one level of reference). */
    public static CloneAdmission.DataSources dataSources(KubernetesClient client) {
        return dataSources((namespace, name) -> client.resources(DataSource.class).inNamespace(namespace).withName(name).get());
    }

    /** DataSources resolved (one level of reference) from what {@code get} (namespace, name) finds — a cache, say. */
    public static CloneAdmission.DataSources dataSources(BiFunction<String, String, DataSource> get) {
        return (namespace, name) -> {
            DataSource ds = get.apply(namespace, name);
            return ds == null ? null : DataSourceReference.resolve(ds, other -> get.apply(namespace, other)).asDataVolumeSource();
        };
    }

    /** Answers an AdmissionReview (JSON) with one (JSON). */
    public String review(byte[] body) throws IOException {
        AdmissionReview review = JSON.readValue(body, AdmissionReview.class);
        AdmissionRequest request = review.getRequest();
        if (request == null || request.getUid() == null) {
            throw new IOException("not an AdmissionReview with a request");
        }
        AdmissionResponse response = new AdmissionResponse();
        response.setUid(request.getUid());
        response.setAllowed(true);
        if ("CREATE".equals(request.getOperation()) && request.getObject() != null) {
            DataVolume dv = JSON.convertValue(request.getObject(), DataVolume.class);
            String namespace = request.getNamespace() != null ? request.getNamespace() : dv.getMetadata().getNamespace();
            UserInfo user = request.getUserInfo() != null ? request.getUserInfo() : new UserInfo();
            CloneAdmission.Verdict verdict = admission.review(dv, namespace, user);
            response.setAllowed(verdict.allowed());
            if (!verdict.allowed()) {
                LOG.info(() -> "refused DataVolume " + namespace + "/" + dv.getMetadata().getName() + ": " + verdict.message());
                response.setStatus(new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
                        .withMessage(verdict.message()).build());
            } else if (verdict.patch() != null) {
                response.setPatchType("JSONPatch");
                response.setPatch(verdict.patchBase64());
            }
        }
        AdmissionReview answer = new AdmissionReview();
        answer.setApiVersion(review.getApiVersion() != null ? review.getApiVersion() : "admission.k8s.io/v1");
        answer.setKind("AdmissionReview");
        answer.setResponse(response);
        return JSON.writeValueAsString(answer);
    }
}
