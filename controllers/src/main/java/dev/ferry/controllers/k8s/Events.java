package dev.ferry.controllers.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.controllers.datavolume.Plan;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Records core/v1 Events on a DataVolume. Names are deterministic per object, reason and
 * attempt, so the same event is never written twice (a second write is a 409, ignored).
 */
final class Events {
    private static final Logger LOG = Logger.getLogger(Events.class.getName());
    private final KubernetesClient client;
    private final Clock clock;

    Events(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    void record(DataVolume dv, Plan.Event event) {
        String attempt = dv.getStatus() == null || dv.getStatus().restartCount == null ? "0"
                : String.valueOf(dv.getStatus().restartCount);
        String name = (dv.getMetadata().getName() + "." + event.reason() + "." + attempt).toLowerCase(Locale.ROOT);
        Event object = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(dv.getMetadata().getNamespace()).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(dv.getApiVersion()).withKind(dv.getKind())
                        .withName(dv.getMetadata().getName()).withNamespace(dv.getMetadata().getNamespace())
                        .withUid(dv.getMetadata().getUid()).build())
                .withType(event.type()).withReason(event.reason()).withMessage(event.message())
                .withFirstTimestamp(clock.instant().toString()).withLastTimestamp(clock.instant().toString()).withCount(1)
                .withNewSource().withComponent("ferry-controller").endSource()
                .build();
        try {
            client.resource(object).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                LOG.warning(() -> "could not record event " + name + ": " + e.getMessage());
            }
        }
    }
}
