package dev.ferry.controllers.datavolume;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DataVolume's import source as the importer worker's {@code FERRY_*} variables. CDI's S3
 * URLs name the endpoint ({@code https://host/bucket/key}); Ferry's worker takes
 * {@code s3://bucket/key} plus the endpoint, so they are split here.
 */
record ImportSourceEnv(Map<String, String> env, String secretRef, String certConfigMap) {

    /** Thrown for sources this importer does not handle; the message is the DataVolume condition's. */
    static final class UnsupportedSource extends Exception {
        UnsupportedSource(String message) {
            super(message);
        }
    }

    private static boolean insecure(String url, List<String> registries) {
        String rest = url.replaceFirst("^[a-z]+://", "");
        String hostPort = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
        return registries.contains(hostPort) || registries.contains(host);
    }

    static ImportSourceEnv of(DataVolume dv) throws UnsupportedSource {
        return of(dv, List.of());
    }

    /** {@code insecureRegistries}: registries (host or host:port) reached over plain HTTP. */
    static ImportSourceEnv of(DataVolume dv, List<String> insecureRegistries) throws UnsupportedSource {
        DataVolumeSource source = dv.getSpec().source;
        if (source == null) {
            throw new UnsupportedSource("spec.source is missing (sourceRef must be resolved first)");
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (source.http != null) {
            env.put("FERRY_SOURCE_URL", source.http.url);
            if (source.http.extraHeaders != null && !source.http.extraHeaders.isEmpty()) {
                env.put("FERRY_EXTRA_HEADERS", String.join("\n", source.http.extraHeaders));
            }
            return new ImportSourceEnv(env, source.http.secretRef, source.http.certConfigMap);
        }
        if (source.s3 != null) {
            URI url = URI.create(source.s3.url);
            if ("s3".equals(url.getScheme())) {
                env.put("FERRY_SOURCE_URL", source.s3.url);
            } else {
                String path = url.getRawPath().replaceFirst("^/", "");
                env.put("FERRY_S3_ENDPOINT", url.getScheme() + "://" + url.getRawAuthority());
                env.put("FERRY_SOURCE_URL", "s3://" + path);
            }
            return new ImportSourceEnv(env, source.s3.secretRef, source.s3.certConfigMap);
        }
        if (source.registry != null) {
            if (source.registry.url == null) {
                throw new UnsupportedSource("registry imageStream sources are OpenShift-only; give registry.url");
            }
            env.put("FERRY_SOURCE_URL", source.registry.url);
            if (insecure(source.registry.url, insecureRegistries)) {
                env.put("FERRY_INSECURE_TLS", "true");
            }
            if (source.registry.platform != null && source.registry.platform.architecture != null) {
                env.put("FERRY_PLATFORM", source.registry.platform.architecture);
            }
            return new ImportSourceEnv(env, source.registry.secretRef, source.registry.certConfigMap);
        }
        if (source.blank != null) {
            env.put("FERRY_SOURCE_URL", "blank:");
            return new ImportSourceEnv(env, null, null);
        }
        String kind = source.gcs != null ? "gcs" : source.imageio != null ? "imageio" : source.vddk != null ? "vddk"
                : source.pvc != null ? "pvc" : source.snapshot != null ? "snapshot" : source.upload != null ? "upload" : "?";
        throw new UnsupportedSource("source " + kind + " is not handled by the importer"
                + (kind.equals("pvc") || kind.equals("snapshot") ? " (cloning arrives with the clone issue)" : ""));
    }
}
