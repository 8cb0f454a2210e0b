package dev.ferry.controllers.datavolume.k8s;

import dev.ferry.controllers.datavolume.PvcBuilder;
import dev.ferry.controllers.runtime.PermanentError;
import dev.ferry.controllers.runtime.k8s.Apply;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;

/** The upload servers' certificate, copied from the controller's namespace into each volume's namespace. */
final class UploadTls {
    /** A Secret an admin creates may appear without the DataVolume changing: look again every minute. */
    private static final Duration RECHECK = Duration.ofMinutes(1);
    private final Apply apply;
    private final String controllerNamespace;
    private final String secret;

    /** {@code secret}: its name in both namespaces, or null for plain HTTP upload servers. */
    UploadTls(Apply apply, String controllerNamespace, String secret) {
        this.apply = apply;
        this.controllerNamespace = controllerNamespace;
        this.secret = secret;
    }

    void ensure(String namespace) {
        if (secret == null || apply.client().secrets().inNamespace(namespace).withName(secret).get() != null) {
            return;
        }
        Secret source = apply.client().secrets().inNamespace(controllerNamespace).withName(secret).get();
        if (source == null) {
            throw new PermanentError("UploadTlsSecretMissing", "Secret " + controllerNamespace + "/" + secret
                    + " (the upload servers' TLS certificate, tls.crt and tls.key) does not exist; create it as the README's"
                    + " \"Deploying to a cluster\" shows", RECHECK);
        }
        apply.create(new SecretBuilder().withNewMetadata().withName(secret).withNamespace(namespace)
                .addToLabels(PvcBuilder.LABEL_APP, PvcBuilder.APP).endMetadata()
                .withType(source.getType()).withData(source.getData()).build());
    }
}
