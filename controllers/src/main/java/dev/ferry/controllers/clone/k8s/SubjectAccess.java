package dev.ferry.controllers.clone.k8s;

import dev.ferry.controllers.clone.CloneAdmission;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.UUID;

/** Asks the cluster with a SubjectAccessReview carrying the requesting user's name, groups, uid and extra, as CDI's webhook does. */
public final class SubjectAccess implements CloneAdmission.Access {
    private final KubernetesClient client;

    public SubjectAccess(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public boolean allowed(UserInfo user, String namespace, String verb, String group, String resource, String subresource,
            String name) {
        SubjectAccessReview review = new SubjectAccessReviewBuilder()
                // the API server needs no name, the CRUD mock server does
                .withNewMetadata().withName("ferry-" + UUID.randomUUID()).endMetadata()
                .withNewSpec().withUser(user.getUsername()).withGroups(user.getGroups()).withUid(user.getUid())
                .withExtra(user.getExtra() == null ? Map.of() : user.getExtra())
                .withResourceAttributes(new ResourceAttributesBuilder().withNamespace(namespace).withVerb(verb).withGroup(group)
                        .withResource(resource).withSubresource(subresource).withName(name).build())
                .endSpec().build();
        SubjectAccessReview answer = client.resource(review).create();
        return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    }
}
