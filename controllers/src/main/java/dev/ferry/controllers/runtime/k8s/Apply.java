package dev.ferry.controllers.runtime.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Idempotent writes every reconciler makes: create (an object that exists already is adopted, so
 * a restarted controller picks up what the last one made), delete, and finalizers.
 */
public final class Apply {
    private static final Logger LOG = Logger.getLogger(Apply.class.getName());

    /** What a create did. */
    public enum Result { CREATED, EXISTED }

    private final KubernetesClient client;

    public Apply(KubernetesClient client) {
        this.client = client;
    }

    public KubernetesClient client() {
        return client;
    }

    public <T extends HasMetadata> Result create(T object) {
        try {
            client.resource(object).create();
            LOG.info(() -> key(object) + ": created " + object.getKind() + " " + object.getMetadata().getName());
            return Result.CREATED;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return Result.EXISTED;
        }
    }

    /** Deletes {@code object} unless it is already going. */
    public void delete(HasMetadata object) {
        if (object != null && object.getMetadata().getDeletionTimestamp() == null) {
            client.resource(object).delete();
            LOG.info(() -> key(object) + ": deleted " + object.getKind() + " " + object.getMetadata().getName());
        }
    }

    /** {@code object} holding {@code finalizer} (written when it did not). */
    public <T extends HasMetadata> T addFinalizer(T object, String finalizer) {
        if (object.getMetadata().getFinalizers().contains(finalizer)) {
            return object;
        }
        return fresh(object).edit(current -> {
            current.getMetadata().getFinalizers().add(finalizer);
            return current;
        });
    }

    /** Lets {@code object} go: {@code finalizer} removed (written when it held it). */
    public <T extends HasMetadata> void removeFinalizer(T object, String finalizer) {
        if (!object.getMetadata().getFinalizers().contains(finalizer)) {
            return;
        }
        fresh(object).edit(current -> {
            List<String> finalizers = new ArrayList<>(current.getMetadata().getFinalizers());
            finalizers.remove(finalizer);
            current.getMetadata().setFinalizers(finalizers);
            return current;
        });
    }

    /** Edits the object as the API server has it now (not as this reconcile read it). */
    public <T extends HasMetadata> T edit(T object, UnaryOperator<T> change) {
        return fresh(object).edit(change);
    }

    /** Edits the status of the object as the API server has it now. */
    public <T extends HasMetadata> T editStatus(T object, UnaryOperator<T> change) {
        return fresh(object).editStatus(change);
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> Resource<T> fresh(T object) {
        return client.resources((Class<T>) object.getClass()).inNamespace(object.getMetadata().getNamespace())
                .withName(object.getMetadata().getName());
    }

    private static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }
}
