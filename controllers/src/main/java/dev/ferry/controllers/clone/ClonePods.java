package dev.ferry.controllers.clone;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.controllers.datavolume.WorkerPodBuilder;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.env.CloneSourceEnv;
import dev.ferry.worker.env.DiskTarget;
import dev.ferry.worker.env.Reporting;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.nio.file.Path;
import java.util.List;

/**
 * The clone source Pod of a host-assisted clone, in the source's namespace: the source claim
 * mounted read-only, the client certificate from its Secret, the target's upload server by its
 * Service's cluster name.
 */
final class ClonePods {
    static final String TLS_PATH = "/var/run/ferry/clone-tls";
    static final int METRICS_PORT = CloneSourceEnv.DEFAULT_METRICS_PORT;

    private ClonePods() {
    }

    /** The clone source reading {@code source} (the source claim, or a snapshot restored into a temporary claim). */
    static Pod source(DataVolume dv, PersistentVolumeClaim source, WorkerSettings settings) {
        boolean block = "Block".equals(source.getSpec().getVolumeMode());
        String target = "cdi-upload-" + dv.getMetadata().getName();
        CloneSourceEnv env = new CloneSourceEnv(Path.of(block ? DiskTarget.BLOCK_PATH : CloneSourceEnv.SOURCE_PATH), block,
                CloneClaims.contentType(dv), "https://" + target + "." + dv.getMetadata().getNamespace() + ".svc:443",
                Path.of(TLS_PATH, "tls.crt"), Path.of(TLS_PATH, "tls.key"), Path.of(TLS_PATH, "ca.crt"), 20,
                Reporting.of(METRICS_PORT, dv.getMetadata().getUid()));
        return WorkerPodBuilder.build(source.getMetadata().getNamespace(), CloneNames.labels(dv), List.of(),
                dv.getSpec().priorityClassName, new WorkerPodBuilder.Claim(source.getMetadata().getName(), block, true,
                        CloneSourceEnv.SOURCE_PATH), settings,
                new WorkerPodBuilder.Worker(CloneNames.sourcePod(dv), WorkerKind.CLONE_SOURCE, settings.images().cloneSource(),
                        METRICS_PORT, env.toEnv(), List.of(new VolumeBuilder().withName("clone-tls").withNewSecret()
                                .withSecretName(CloneNames.clientSecret(dv)).endSecret().build()),
                        List.of(WorkerPodBuilder.mount("clone-tls", TLS_PATH, true)), null));
    }
}
