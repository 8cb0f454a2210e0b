package dev.ferry.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** What a controller reconciles: a namespaced object's namespace and name. */
public record ObjectKey(String namespace, String name) {

    public static ObjectKey of(HasMetadata object) {
        return new ObjectKey(object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
