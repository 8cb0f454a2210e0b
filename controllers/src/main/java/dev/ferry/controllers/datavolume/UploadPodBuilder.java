package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upload server of a {@code source: upload} DataVolume: Pod and Service both named
 * {@code cdi-upload-<pvc>} as CDI names them, so the proxy finds the server by DNS.
 */
public final class UploadPodBuilder {
    public static final String COMPONENT = "upload-server";
    public static final int PORT = 8443;
    static final int METRICS_PORT = 8080;
    static final String TLS_PATH = "/var/run/ferry/tls";

    private UploadPodBuilder() {
    }

    public static String name(PersistentVolumeClaim pvc) {
        return "cdi-upload-" + pvc.getMetadata().getName();
    }

    public static Pod pod(DataVolume dv, PersistentVolumeClaim pvc, WorkerSettings settings) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FERRY_UPLOAD_PORT", String.valueOf(PORT));
        env.put("FERRY_UPLOAD_TARGET", pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName());
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        String scheme = "HTTP";
        if (settings.uploadTlsSecret() != null) {
            volumes.add(new VolumeBuilder().withName("tls").withNewSecret().withSecretName(settings.uploadTlsSecret())
                    .endSecret().build());
            mounts.add(ImporterPodBuilder.mount("tls", TLS_PATH, true));
            env.put("FERRY_TLS_CERT", TLS_PATH + "/tls.crt");
            env.put("FERRY_TLS_KEY", TLS_PATH + "/tls.key");
            scheme = "HTTPS";
        }
        Probe ready = new ProbeBuilder().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(PORT))
                .withScheme(scheme).endHttpGet().withPeriodSeconds(2).build();
        return ImporterPodBuilder.workerPod(dv, pvc, settings, new ImporterPodBuilder.Worker(name(pvc), COMPONENT,
                settings.uploadServerImage(), METRICS_PORT, env, volumes, mounts, ready));
    }

    public static Service service(DataVolume dv, PersistentVolumeClaim pvc) {
        Map<String, String> selector = PvcBuilder.labels(dv);
        selector.put(ImporterPodBuilder.LABEL_COMPONENT, COMPONENT);
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name(pvc))
                .withNamespace(pvc.getMetadata().getNamespace())
                .withLabels(selector)
                .withOwnerReferences(PvcBuilder.owner(dv))
                .endMetadata()
                .withNewSpec()
                .withSelector(selector)
                .addNewPort().withName("upload").withPort(443).withTargetPort(new IntOrString(PORT)).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }
}
