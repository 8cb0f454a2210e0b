package dev.ferry.importer.source.registry;

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
