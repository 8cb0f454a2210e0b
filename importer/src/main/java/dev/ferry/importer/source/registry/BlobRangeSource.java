package dev.ferry.importer.source.registry;

import dev.ferry.importer.source.remote.RangeSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;

/** One layer blob read by ranges, so a layer download resumes like any other remote source. */
final class BlobRangeSource implements RangeSource {
    private final RegistryClient client;
    private final Descriptor layer;

    BlobRangeSource(RegistryClient client, Descriptor layer) {
        this.client = client;
        this.layer = layer;
    }

    @Override
    public Probe probe() throws IOException {
        HttpResponse<InputStream> response = client.blob(layer.digest(), 0, 1);
        response.body().close();
        return new Probe(layer.size(), response.statusCode() == 206);
    }

    @Override
    public InputStream open(long from, long to) throws IOException {
        HttpResponse<InputStream> response = client.blob(layer.digest(), from, to);
        boolean ranged = from > 0 || to >= 0;
        if (ranged && response.statusCode() != 206) {
            response.body().close();
            throw new IOException("registry ignored the range request for " + layer.digest());
        }
        return response.body();
    }

    @Override
    public String describe() {
        return client.describe() + " layer " + layer.digest();
    }
}
