package dev.ferry.controllers.runtime;

import java.time.Duration;

/** One controller's reconcile of one object: returns when to look again without a change, or null. */
@FunctionalInterface
public interface Reconciler {
    Duration reconcile(ObjectKey key);

    default Duration reconcile(String namespace, String name) {
        return reconcile(new ObjectKey(namespace, name));
    }
}
