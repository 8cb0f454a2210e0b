package dev.ferry.importer.source.registry;

import dev.ferry.disk.DiskException;
import dev.ferry.importer.source.Credentials;
import dev.ferry.importer.source.SourceOptions;
import dev.ferry.importer.source.http.HttpClients;
import dev.ferry.importer.source.remote.RetryPolicy;
import dev.ferry.importer.source.remote.StallGuard;
import java.io.IOException;
import java.time.Clock;

/** Builds a registry source: HTTPS by default; plain HTTP for an insecure registry, as CDI allows. */
public final class RegistrySources {
    private RegistrySources() {
    }

    /**
     * The digest ({@code sha256:<hex>}) {@code url} names now: its own when it is pinned, else the
     * digest of the manifest (or image index) its tag points at — what a registry's
     * {@code Docker-Content-Digest} says, computed from the bytes served.
     */
    public static String currentDigest(String url, SourceOptions options) throws IOException {
        ImageReference image = ImageReference.parse(url);
        if (image.byDigest()) {
            return image.reference();
        }
        RegistryClient client = new RegistryClient(HttpClients.create(options.certDir(), options.insecureSkipVerify()),
                options.insecureSkipVerify() ? "http" : "https", image, Credentials.read(options.secretDir()));
        RegistryClient.Manifest manifest = client.manifest(image.reference());
        if (manifest.body().length > ManifestResolver.MAX_MANIFEST_BYTES) {
            throw new DiskException(DiskException.Reason.INVALID_IMAGE, image + ": manifest of " + manifest.body().length
                    + " bytes is larger than the 4 MiB allowed");
        }
        return ManifestResolver.sha256(manifest.body());
    }

    public static RegistryImageSource open(String url, SourceOptions options, RetryPolicy retry, int parallel)
            throws IOException {
        ImageReference image = ImageReference.parse(url);
        String scheme = options.insecureSkipVerify() ? "http" : "https";
        RegistryClient client = new RegistryClient(HttpClients.create(options.certDir(), options.insecureSkipVerify()),
                scheme, image, Credentials.read(options.secretDir()));
        return new RegistryImageSource(client, image, options.platform(), retry,
                new StallGuard(options.stallTimeout(), Clock.systemUTC()), parallel);
    }
}
