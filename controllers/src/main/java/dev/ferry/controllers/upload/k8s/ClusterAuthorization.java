package dev.ferry.controllers.upload.k8s;

import dev.ferry.api.cdi.v1beta1.Annotations;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.upload.v1beta1.UploadTokenRequest;
import dev.ferry.controllers.upload.UploadTokenService;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * The token API's questions to the cluster: SubjectAccessReview (may this user create
 * uploadtokenrequests in the namespace — what CDI's aggregated roles grant), TokenReview (who
 * is this bearer token), and whether a claim is an upload target.
 */
public final class ClusterAuthorization implements UploadTokenService.Authorizer, UploadTokenService.UploadTargets,
        UploadTokenService.Authenticator {
    private final KubernetesClient client;

    public ClusterAuthorization(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public boolean allowed(String user, List<String> groups, String namespace) {
        // a name is not needed by the API server, but harmless, and the CRUD mock insists on metadata
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewMetadata().withName(reviewName()).endMetadata()
                .withNewSpec().withUser(user).withGroups(groups)
                .withNewResourceAttributes().withNamespace(namespace).withVerb("create")
                .withGroup(UploadTokenRequest.GROUP).withResource("uploadtokenrequests").endResourceAttributes()
                .endSpec().build();
        SubjectAccessReview answer = client.resource(review).create();
        return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    }

    /** The user a bearer token belongs to, or null. */
    @Override
    public UploadTokenService.Identity authenticate(String token) {
        TokenReview answer = client.resource(new TokenReviewBuilder().withNewMetadata().withName(reviewName()).endMetadata()
                .withNewSpec().withToken(token).endSpec().build()).create();
        if (answer.getStatus() == null || !Boolean.TRUE.equals(answer.getStatus().getAuthenticated())
                || answer.getStatus().getUser() == null) {
            return null;
        }
        return new UploadTokenService.Identity(answer.getStatus().getUser().getUsername(), answer.getStatus().getUser().getGroups());
    }

    private static String reviewName() {
        return "ferry-" + java.util.UUID.randomUUID();
    }

    @Override
    public String problem(String namespace, String pvcName) {
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(pvcName).get();
        DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName(pvcName).get();
        boolean uploadDv = dv != null && dv.getSpec() != null && dv.getSpec().source != null && dv.getSpec().source.upload != null;
        if (pvc == null && dv == null) {
            return "PVC " + namespace + "/" + pvcName + " does not exist";
        }
        boolean annotated = pvc != null && pvc.getMetadata().getAnnotations() != null
                && pvc.getMetadata().getAnnotations().containsKey(Annotations.UPLOAD_TARGET);
        if (!uploadDv && !annotated) {
            return "PVC " + namespace + "/" + pvcName + " is not an upload target: create it with a DataVolume whose source is upload";
        }
        return null;
    }
}
