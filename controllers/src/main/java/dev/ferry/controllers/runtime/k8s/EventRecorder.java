package dev.ferry.controllers.runtime.k8s;

import dev.ferry.controllers.runtime.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Records core/v1 Events on any object. Names are deterministic per object, reason and
 * {@code occurrence} (a restart count, a generation …), so the same event is never written twice:
 * a second write is a 409, ignored.
 */
public final class EventRecorder {
    private static final Logger LOG = Logger.getLogger(EventRecorder.class.getName());
    private final KubernetesClient client;
    private final Clock clock;

    public EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void record(HasMetadata object, Event event, String occurrence) {
        String name = (object.getMetadata().getName() + "." + event.reason() + "." + occurrence).toLowerCase(Locale.ROOT);
        String now = clock.instant().toString();
        io.fabric8.kubernetes.api.model.Event written = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(object.getMetadata().getNamespace()).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(object.getApiVersion()).withKind(object.getKind())
                        .withName(object.getMetadata().getName()).withNamespace(object.getMetadata().getNamespace())
                        .withUid(object.getMetadata().getUid()).build())
                .withType(event.type()).withReason(event.reason()).withMessage(event.message())
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withNewSource().withComponent("ferry-controller").endSource()
                .build();
        try {
            client.resource(written).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                LOG.warning(() -> "could not record event " + name + ": " + e.getMessage());
            }
        }
    }
}
