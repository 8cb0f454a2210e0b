package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.DataVolumeSpec;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.cdi.v1beta1.StorageSpec;
import dev.ferry.api.upload.v1beta1.UploadTokenRequest;
import dev.ferry.api.cdi.v1beta1.Annotations;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeResourceRequirementsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@code ferry image-upload} asks of the cluster, as virtctl does: create the upload
 * DataVolume, wait until its upload server is ready, request an upload token.
 */
public final class UploadVolumes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KubernetesClient client;

    public UploadVolumes(KubernetesClient client) {
        this.client = client;
    }

    /** The DataVolume to create for an upload. */
    public record Request(String namespace, String name, String size, String accessMode, String volumeMode,
            String storageClass, boolean forceBind, boolean archive) {
    }

    public DataVolume create(Request request) throws IOException {
        DataVolume dv = new DataVolume();
        dv.setMetadata(new ObjectMetaBuilder().withName(request.name()).withNamespace(request.namespace()).build());
        if (request.forceBind()) {
            dv.getMetadata().setAnnotations(Map.of(Annotations.IMMEDIATE_BIND, "true"));
        }
        DataVolumeSpec spec = new DataVolumeSpec();
        spec.source = new DataVolumeSource();
        spec.source.upload = new DataVolumeSource.Upload();
        spec.contentType = request.archive() ? Phases.CONTENT_ARCHIVE : null;
        spec.storage = new StorageSpec();
        spec.storage.resources = new VolumeResourceRequirementsBuilder()
                .addToRequests("storage", new Quantity(request.size())).build();
        spec.storage.accessModes = request.accessMode() == null ? null : List.of(request.accessMode());
        spec.storage.volumeMode = request.volumeMode();
        spec.storage.storageClassName = request.storageClass();
        dv.setSpec(spec);
        try {
            return client.resource(dv).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new IOException("DataVolume " + request.namespace() + "/" + request.name()
                        + " already exists; use --no-create to upload to it", e);
            }
            throw new IOException("cannot create DataVolume " + request.namespace() + "/" + request.name() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Waits until the volume's upload server is ready; says what the DataVolume reports when it is not. */
    public void awaitUploadReady(String namespace, String name, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not found";
        while (System.nanoTime() < deadline) {
            DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName(name).get();
            String phase = dv == null || dv.getStatus() == null ? null : dv.getStatus().phase;
            if (Phases.UPLOAD_READY.equals(phase)) {
                return;
            }
            if (Phases.SUCCEEDED.equals(phase)) {
                throw new IOException("DataVolume " + namespace + "/" + name + " already succeeded: nothing to upload to");
            }
            if (Phases.FAILED.equals(phase) || (dv != null && dv.getSpec().source != null && dv.getSpec().source.upload == null)) {
                throw new IOException("DataVolume " + namespace + "/" + name + " is not waiting for an upload (phase " + phase + ")");
            }
            last = dv == null ? "not found" : "phase " + phase;
            sleep();
        }
        throw new IOException("DataVolume " + namespace + "/" + name + " is not UploadReady after " + timeout.toSeconds()
                + " s (" + last + "); check its events, or raise --wait-secs");
    }

    /** A fresh upload token (UploadTokenRequest through the aggregated API). */
    public String requestToken(String namespace, String pvcName) throws IOException {
        UploadTokenRequest request = new UploadTokenRequest();
        request.metadata = new ObjectMetaBuilder().withName("token-for-" + pvcName).withNamespace(namespace).build();
        request.spec = new UploadTokenRequest.Spec();
        request.spec.pvcName = pvcName;
        String path = "/apis/" + UploadTokenRequest.API_VERSION + "/namespaces/" + namespace + "/uploadtokenrequests";
        String answer;
        try {
            answer = client.raw(client.getMasterUrl().toString().replaceAll("/$", "") + path, "POST",
                    JSON.writeValueAsString(request));
        } catch (KubernetesClientException e) {
            throw new IOException("the upload token request was refused: " + e.getMessage(), e);
        }
        JsonNode token = answer == null ? null : JSON.readTree(answer).path("status").path("token");
        if (token == null || token.asText().isEmpty()) {
            throw new IOException("the upload token API answered without a token: " + answer);
        }
        return token.asText();
    }

    public String phase(String namespace, String name) {
        DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName(name).get();
        return dv == null || dv.getStatus() == null ? null : dv.getStatus().phase;
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
