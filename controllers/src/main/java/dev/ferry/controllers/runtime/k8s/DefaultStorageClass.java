package dev.ferry.controllers.runtime.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;

/** The cluster's default StorageClass, as the DefaultStorageClass admission plugin finds it. */
public final class DefaultStorageClass {
    public static final String ANNOTATION = "storageclass.kubernetes.io/is-default-class";

    private DefaultStorageClass() {
    }

    /** Its name, or null when no class is marked default. */
    public static String name(KubernetesClient client) {
        return client.storage().v1().storageClasses().list().getItems().stream()
                .filter(sc -> sc.getMetadata().getAnnotations() != null && "true".equals(sc.getMetadata().getAnnotations().get(ANNOTATION)))
                .map(sc -> sc.getMetadata().getName()).findFirst().orElse(null);
    }
}
