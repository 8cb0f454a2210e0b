package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.worker.WorkerKind;
import dev.ferry.worker.env.ImporterEnv;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The importer Pod for a DataVolume, a pure function of the DataVolume, its PVC and the
 * controller's settings: the {@link ImporterEnv} the importer reads, secrets and CA bundles as
 * files, on the worker Pod every data worker gets ({@link WorkerPodBuilder}).
 */
public final class ImporterPodBuilder {
    static final String SECRET_PATH = "/var/run/ferry/source-secret";
    static final String CERT_PATH = "/var/run/ferry/source-certs";
    private static final int MAX_NAME = 63;

    private ImporterPodBuilder() {
    }

    /** {@code importer-<dv>}, shortened with a hash when the DataVolume's name is long. */
    public static String podName(DataVolume dv) {
        String name = "importer-" + dv.getMetadata().getName();
        if (name.length() <= MAX_NAME) {
            return name;
        }
        return name.substring(0, MAX_NAME - 9) + "-" + hash(name).substring(0, 8);
    }

    public static Pod build(DataVolume dv, PersistentVolumeClaim pvc, WorkerSettings settings)
            throws ImportSource.UnsupportedSource {
        SourceMount source = source(dv, settings);
        ImporterEnv env = new ImporterEnv(source.url(), source.access(), ImporterEnv.DEFAULT_RETRIES,
                ImporterEnv.DEFAULT_STALL_TIMEOUT_SECONDS, WorkerPodBuilder.target(dv, pvc), WorkerPodBuilder.reporting(dv, settings.metricsPort()));
        return WorkerPodBuilder.build(dv, pvc, settings, new WorkerPodBuilder.Worker(podName(dv), WorkerKind.IMPORTER,
                settings.images().importer(), settings.metricsPort(), env.toEnv(), source.volumes(), source.mounts(), null));
    }

    /** A DataVolume's source as a worker reaches it: the URL, access settings, and its Secret and CA bundle as files. */
    public record SourceMount(String url, ImporterEnv.SourceAccess access, List<Volume> volumes, List<VolumeMount> mounts) {
    }

    /** How a worker reaches {@code dv}'s source (an importer, or a DataImportCron's poller). */
    public static SourceMount source(DataVolume dv, WorkerSettings settings) throws ImportSource.UnsupportedSource {
        ImportSource source = ImportSource.of(dv, settings.insecureRegistries());
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        boolean secret = source.secretRef() != null && !source.secretRef().isEmpty();
        boolean certs = source.certConfigMap() != null && !source.certConfigMap().isEmpty();
        if (secret) {
            volumes.add(new VolumeBuilder().withName("source-secret").withNewSecret()
                    .withSecretName(source.secretRef()).endSecret().build());
            mounts.add(WorkerPodBuilder.mount("source-secret", SECRET_PATH, true));
        }
        if (certs) {
            volumes.add(new VolumeBuilder().withName("source-certs").withNewConfigMap()
                    .withName(source.certConfigMap()).endConfigMap().build());
            mounts.add(WorkerPodBuilder.mount("source-certs", CERT_PATH, true));
        }
        return new SourceMount(source.url(), new ImporterEnv.SourceAccess(secret ? Path.of(SECRET_PATH) : null,
                certs ? Path.of(CERT_PATH) : null, source.insecure(), source.extraHeaders(), source.s3Endpoint(), source.platform()),
                volumes, mounts);
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
