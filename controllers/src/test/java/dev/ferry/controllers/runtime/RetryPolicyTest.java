package dev.ferry.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.controllers.runtime.k8s.KubernetesRetryPolicy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Permanent failures wait; transient ones back off; the attempt count is the queue's, the policy only decides. */
class RetryPolicyTest {
    private final RetryPolicy policy = KubernetesRetryPolicy.INSTANCE;

    @Test
    void transientFailuresBackOffFromOneSecondToAMinute() {
        RuntimeException conflict = new KubernetesClientException("conflict", 409, null);
        assertThat(policy.permanent(conflict)).isFalse();
        assertThat(policy.delay(conflict, 1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(conflict, 4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.delay(new IllegalStateException("bug"), 30)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.delay(new KubernetesClientException("unavailable", 503, null), 2)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void permanentFailuresAreLookedAtAgainSlowly() {
        assertThat(policy.permanent(new KubernetesClientException("forbidden", 403, null))).isTrue();
        assertThat(policy.delay(new KubernetesClientException("invalid", 422, null), 1)).isEqualTo(RetryPolicy.PERMANENT_RECHECK);
        PermanentError missing = new PermanentError("SecretMissing", "no Secret", Duration.ofMinutes(1));
        assertThat(policy.permanent(missing)).isTrue();
        assertThat(policy.delay(missing, 9)).as("the error says when").isEqualTo(Duration.ofMinutes(1));
    }
}
