package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.env.UploadServerEnv;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The upload server of a {@code source: upload} DataVolume: Pod and Service both named
 * {@code cdi-upload-<pvc>} as CDI names them, so the proxy finds the server by DNS.
 */
public final class UploadPodBuilder {
    public static final int PORT = UploadServerEnv.DEFAULT_PORT;
    static final String TLS_PATH = "/var/run/ferry/tls";

    private UploadPodBuilder() {
    }

    public static String name(PersistentVolumeClaim pvc) {
        return name(pvc.getMetadata().getName());
    }

    public static String name(String pvc) {
        return "cdi-upload-" + pvc;
    }

    public static Pod pod(DataVolume dv, PersistentVolumeClaim pvc, WorkerSettings settings) {
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        boolean tls = settings.uploadTlsSecret() != null;
        if (tls) {
            volumes.add(new VolumeBuilder().withName("tls").withNewSecret().withSecretName(settings.uploadTlsSecret())
                    .endSecret().build());
            mounts.add(WorkerPodBuilder.mount("tls", TLS_PATH, true));
        }
        UploadServerEnv env = new UploadServerEnv("0.0.0.0", PORT, tls ? Path.of(TLS_PATH, "tls.crt") : null,
                tls ? Path.of(TLS_PATH, "tls.key") : null, pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName(),
                UploadServerEnv.DEFAULT_RESUME_TIMEOUT_SECONDS, null, WorkerPodBuilder.target(dv, pvc),
                WorkerPodBuilder.reporting(dv, UploadServerEnv.DEFAULT_METRICS_PORT));
        Probe ready = new ProbeBuilder().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(PORT))
                .withScheme(tls ? "HTTPS" : "HTTP").endHttpGet().withPeriodSeconds(2).build();
        return WorkerPodBuilder.build(dv, pvc, settings, new WorkerPodBuilder.Worker(name(pvc), WorkerKind.UPLOAD_SERVER,
                settings.images().uploadServer(), UploadServerEnv.DEFAULT_METRICS_PORT, env.toEnv(), volumes, mounts, ready));
    }

    /**
     * The upload server of a host-assisted clone's target: clone mode, mutual TLS with the
     * certificate in {@code tlsSecret} (tls.crt, tls.key, and ca.crt, the CA its one client —
     * named {@code clientName} — must chain to).
     */
    public static Pod clonePod(DataVolume dv, PersistentVolumeClaim pvc, WorkerSettings settings, String tlsSecret, String clientName) {
        List<Volume> volumes = List.of(new VolumeBuilder().withName("tls").withNewSecret().withSecretName(tlsSecret).endSecret().build());
        List<VolumeMount> mounts = List.of(WorkerPodBuilder.mount("tls", TLS_PATH, true));
        UploadServerEnv env = new UploadServerEnv("0.0.0.0", PORT, Path.of(TLS_PATH, "tls.crt"), Path.of(TLS_PATH, "tls.key"),
                pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName(), UploadServerEnv.DEFAULT_RESUME_TIMEOUT_SECONDS,
                new UploadServerEnv.Clone(Path.of(TLS_PATH, "ca.crt"), clientName), WorkerPodBuilder.target(dv, pvc),
                WorkerPodBuilder.reporting(dv, UploadServerEnv.DEFAULT_METRICS_PORT));
        Probe ready = new ProbeBuilder().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(PORT))
                .withScheme("HTTPS").endHttpGet().withPeriodSeconds(2).build();
        return WorkerPodBuilder.build(dv, pvc, settings, new WorkerPodBuilder.Worker(name(pvc), WorkerKind.UPLOAD_SERVER,
                settings.images().uploadServer(), UploadServerEnv.DEFAULT_METRICS_PORT, env.toEnv(), volumes, mounts, ready));
    }

    public static Service service(DataVolume dv, PersistentVolumeClaim pvc) {
        Map<String, String> selector = PvcBuilder.labels(dv);
        selector.put(WorkerPodBuilder.LABEL_COMPONENT, WorkerKind.UPLOAD_SERVER.workerName());
        Map<String, String> labels = new java.util.LinkedHashMap<>(selector);
        labels.put(ClaimMarks.LABEL_EXCLUDE_FROM_BACKUP, "true");
        return new ServiceBuilder()
                .withNewMetadata().withName(name(pvc)).withNamespace(pvc.getMetadata().getNamespace()).withLabels(labels)
                .withOwnerReferences(PvcBuilder.owner(dv)).endMetadata()
                .withNewSpec()
                .withSelector(selector)
                .addNewPort().withName("upload").withPort(443).withTargetPort(new IntOrString(PORT)).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }
}
