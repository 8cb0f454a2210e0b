package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import java.net.URI;
import java.util.List;

/**
 * A DataVolume's import source as the importer needs it: the URL, and how to reach it. CDI's S3
 * URLs name the endpoint ({@code https://host/bucket/key}); Ferry's importer takes
 * {@code s3://bucket/key} plus the endpoint, so they are split here. Secrets and CA bundles are
 * named here and mounted by the Pod builder.
 */
public record ImportSource(String url, List<String> extraHeaders, String s3Endpoint, boolean insecure, String platform,
        String secretRef, String certConfigMap) {

    /** Thrown for sources this importer does not handle; the message is the DataVolume condition's. */
    public static final class UnsupportedSource extends Exception {
        UnsupportedSource(String message) {
            super(message);
        }
    }

    /** {@code insecureRegistries}: registries (host or host:port) reached over plain HTTP. */
    static ImportSource of(DataVolume dv, List<String> insecureRegistries) throws UnsupportedSource {
        DataVolumeSource source = dv.getSpec().source;
        if (source == null) {
            throw new UnsupportedSource("spec.source is missing (sourceRef must be resolved first)");
        }
        if (source.http != null) {
            return new ImportSource(source.http.url, source.http.extraHeaders, null, false, null, source.http.secretRef,
                    source.http.certConfigMap);
        }
        if (source.s3 != null) {
            URI url = URI.create(source.s3.url);
            boolean bare = "s3".equals(url.getScheme());
            return new ImportSource(bare ? source.s3.url : "s3://" + url.getRawPath().replaceFirst("^/", ""), null,
                    bare ? null : url.getScheme() + "://" + url.getRawAuthority(), false, null, source.s3.secretRef,
                    source.s3.certConfigMap);
        }
        if (source.registry != null) {
            if (source.registry.url == null) {
                throw new UnsupportedSource("registry imageStream sources are OpenShift-only; give registry.url");
            }
            String platform = source.registry.platform == null ? null : source.registry.platform.architecture;
            return new ImportSource(source.registry.url, null, null, insecure(source.registry.url, insecureRegistries), platform,
                    source.registry.secretRef, source.registry.certConfigMap);
        }
        if (source.blank != null) {
            return new ImportSource("blank:", null, null, false, null, null, null);
        }
        String kind = source.gcs != null ? "gcs" : source.imageio != null ? "imageio" : source.vddk != null ? "vddk"
                : source.pvc != null ? "pvc" : source.snapshot != null ? "snapshot" : source.upload != null ? "upload" : "?";
        throw new UnsupportedSource("source " + kind + " is not handled by the importer");
    }

    private static boolean insecure(String url, List<String> registries) {
        String rest = url.replaceFirst("^[a-z]+://", "");
        String hostPort = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
        return registries.contains(hostPort) || registries.contains(host);
    }
}
