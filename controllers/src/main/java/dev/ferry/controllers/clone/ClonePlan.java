package dev.ferry.controllers.clone;

import dev.ferry.api.cdi.v1beta1.DataVolumeStatus;
import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a reconcile of a cloning DataVolume decided.
 *
 * @param annotate annotations to set on the DataVolume (the chosen strategy, a fallback reason)
 * @param create objects to create, in order
 * @param delete objects to delete (temporary ones once they served)
 * @param rebind a volume to move from the temporary claim to the DataVolume's claim, or null
 * @param tls the clone's mutual-TLS certificates to issue (host-assisted), or null
 * @param status the DataVolume's status
 * @param event the event to record, or null
 * @param requeueAfter when to look again without a change, or null
 */
public record ClonePlan(Map<String, String> annotate, List<HasMetadata> create, List<HasMetadata> delete, Rebind rebind, Tls tls,
        DataVolumeStatus status, Event event, Duration requeueAfter) {

    /** Point volume {@code pv}'s claim reference at claim {@code namespace/claim} (uid {@code uid}): a cross-namespace move. */
    public record Rebind(String pv, String namespace, String claim, String uid) {
    }

    /**
     * The certificates of a host-assisted clone: the upload server's (for its Service's names and
     * loopback) in the target namespace, the source's client certificate named {@code clientName}
     * in the source namespace; both Secrets carry the CA.
     */
    public record Tls(String serverNamespace, String serverSecret, List<String> serverNames, String clientNamespace,
            String clientSecret, String clientName) {
    }
}
