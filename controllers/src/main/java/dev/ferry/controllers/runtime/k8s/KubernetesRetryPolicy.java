package dev.ferry.controllers.runtime.k8s;

import dev.ferry.controllers.runtime.PermanentError;
import dev.ferry.controllers.runtime.RetryPolicy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Set;

/**
 * Retries as a Kubernetes controller should: a {@link PermanentError} or a request the API server
 * refuses as invalid or forbidden (400, 401, 403, 422) is looked at again after five minutes;
 * anything else — a conflict, the API server unavailable, an unexpected error — backs off 1 s
 * doubling to 60 s.
 */
public final class KubernetesRetryPolicy implements RetryPolicy {
    public static final KubernetesRetryPolicy INSTANCE = new KubernetesRetryPolicy();
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    private static final Set<Integer> REFUSED = Set.of(400, 401, 403, 422);

    private KubernetesRetryPolicy() {
    }

    @Override
    public boolean permanent(Throwable failure) {
        return failure instanceof PermanentError || failure instanceof KubernetesClientException k && REFUSED.contains(k.getCode());
    }

    @Override
    public Duration delay(Throwable failure, int attempt) {
        if (failure instanceof PermanentError p) {
            return p.recheck();
        }
        if (permanent(failure)) {
            return PERMANENT_RECHECK;
        }
        Duration delay = Duration.ofSeconds(1L << Math.min(Math.max(attempt, 1) - 1, 6));
        return delay.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay;
    }
}
