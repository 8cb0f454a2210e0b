package dev.ferry.cli;

import dev.ferry.api.export.v1beta1.VirtualMachineExport;
import dev.ferry.api.snapshot.v1beta1.ObjectReference;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.worker.tls.PemTls;
import dev.ferry.worker.tls.TrustEverything;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import javax.net.ssl.HttpsURLConnection;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry vmexport create|delete|download NAME}, as virtctl's: an export of a VM, snapshot or
 * claim made with a token Secret of its own ({@code secret-<name>}); a download waits for it to be
 * Ready, takes the external link (or the internal one under {@code --service-url}), trusts the
 * link's certificate, sends the token, writes raw disks sparse and resumes a broken raw download
 * where it stopped (Range), and deletes the export it made unless {@code --keep-vme}.
 */
@Command(name = "vmexport", mixinStandardHelpOptions = true, subcommands = {VmExportCommand.Create.class, VmExportCommand.Delete.class,
        VmExportCommand.Download.class}, description = "Export the volumes of a VirtualMachine, VirtualMachineSnapshot or claim.")
final class VmExportCommand implements Runnable {
    static final String TOKEN_HEADER = "x-kubevirt-export-token";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** NAME, the cluster, and the source flags a create takes. */
    abstract static class ExportOptions implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kube kube;
        @Parameters(index = "0", paramLabel = "NAME", description = "The VirtualMachineExport.")
        String name;
        @Option(names = "--vm", paramLabel = "VM", description = "Export this (stopped) VirtualMachine's volumes.")
        String vm;
        @Option(names = "--snapshot", paramLabel = "SNAPSHOT", description = "Export this VirtualMachineSnapshot's volumes.")
        String snapshot;
        @Option(names = "--pvc", paramLabel = "PVC", description = "Export this PersistentVolumeClaim.")
        String pvc;
        @Option(names = "--ttl", paramLabel = "DURATION", description = "How long the export lives (default 2h).")
        String ttl;

        ObjectReference source() {
            int given = (vm == null ? 0 : 1) + (snapshot == null ? 0 : 1) + (pvc == null ? 0 : 1);
            if (given > 1) {
                throw new IllegalArgumentException("give one of --vm, --snapshot, --pvc");
            }
            return vm != null ? new ObjectReference("kubevirt.io", "VirtualMachine", vm)
                    : snapshot != null ? new ObjectReference("snapshot.kubevirt.io", "VirtualMachineSnapshot", snapshot)
                    : pvc != null ? new ObjectReference("", "PersistentVolumeClaim", pvc) : null;
        }

        /** Creates the export with a token Secret of its own, as virtctl does. */
        void create(KubernetesClient client, String namespace, ObjectReference source) {
            VirtualMachineExport export = new VirtualMachineExport();
            export.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
            export.setSpec(new VirtualMachineExport.Spec());
            export.getSpec().source = source;
            export.getSpec().tokenSecretRef = "secret-" + name;
            export.getSpec().ttlDuration = ttl;
            VirtualMachineExport created = client.resource(export).create();
            byte[] token = new byte[24];
            RANDOM.nextBytes(token);
            Secret secret = new SecretBuilder().withMetadata(new ObjectMetaBuilder().withName("secret-" + name).withNamespace(namespace)
                            .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(VirtualMachineExport.GROUP + "/"
                                    + VirtualMachineExport.VERSION).withKind("VirtualMachineExport").withName(name)
                                    .withUid(created.getMetadata().getUid()).build()).build())
                    .withData(Map.of("token", Base64.getEncoder().encodeToString(HexFormat.of().formatHex(token)
                            .getBytes(StandardCharsets.UTF_8)))).build();
            client.resource(secret).create();
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a VirtualMachineExport (--vm, --snapshot or --pvc).")
    static final class Create extends ExportOptions {
        @Override
        public Integer call() throws Exception {
            ObjectReference source = source();
            if (source == null) {
                throw new IllegalArgumentException("give the source: --vm, --snapshot or --pvc");
            }
            try (KubernetesClient client = kube.client()) {
                create(client, kube.namespace(client), source);
            }
            spec.commandLine().getOut().printf("VirtualMachineExport '%s' created succesfully%n", name);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a VirtualMachineExport.")
    static final class Delete extends ExportOptions {
        @Override
        public Integer call() throws Exception {
            try (KubernetesClient client = kube.client()) {
                String namespace = kube.namespace(client);
                if (client.resources(VirtualMachineExport.class).inNamespace(namespace).withName(name).get() == null) {
                    throw new IllegalArgumentException("VirtualMachineExport \"" + name + "\" not found in namespace " + namespace);
                }
                deleteExport(client, namespace, name);
            }
            spec.commandLine().getOut().printf("VirtualMachineExport '%s' deleted succesfully%n", name);
            return 0;
        }
    }

    /** The export and the token Secret {@code create} made for it (its owner reference removes it too where a garbage collector runs). */
    static void deleteExport(KubernetesClient client, String namespace, String name) {
        client.resources(VirtualMachineExport.class).inNamespace(namespace).withName(name).delete();
        Secret secret = client.secrets().inNamespace(namespace).withName("secret-" + name).get();
        if (secret != null && secret.getMetadata().getOwnerReferences().stream().anyMatch(o -> name.equals(o.getName())
                && "VirtualMachineExport".equals(o.getKind()))) {
            client.resource(secret).delete();
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true, description = "Download a volume (or the manifests) of a VirtualMachineExport; "
            + "with --vm, --snapshot or --pvc the export is made first and deleted after.")
    static final class Download extends ExportOptions {
        @Option(names = "--output", paramLabel = "FILE", description = "Where the volume (or manifest) goes.")
        Path output;
        @Option(names = "--volume", paramLabel = "NAME", description = "The volume to download (needed when the export has several).")
        String volume;
        @Option(names = "--format", paramLabel = "gzip|raw", defaultValue = "gzip", description = "gzip (default, the file as served) or raw "
                + "(written sparse; a broken download resumes where it stopped).")
        String format;
        @Option(names = "--keep-vme", description = "Keep the export this download made.")
        boolean keep;
        @Option(names = "--insecure", description = "Trust the server without checking its certificate.")
        boolean insecure;
        @Option(names = "--service-url", paramLabel = "URL", description = "Reach the export server here (e.g. a port-forward) instead of its external link.")
        String serviceUrl;
        @Option(names = "--manifest", description = "Download the export's manifests (VM, DataVolumes, CA ConfigMap) instead of a volume.")
        boolean manifest;
        @Option(names = "--include-secret", description = "With --manifest: the header Secret the DataVolumes send the token with, too.")
        boolean includeSecret;
        @Option(names = "--retry", paramLabel = "N", defaultValue = "0", description = "How many broken downloads to resume (raw) or restart (gzip).")
        int retries;
        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;
        @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "2m", description = "How long to wait for the export to be Ready.")
        String wait;

        @Override
        public Integer call() throws Exception {
            if (!VirtualMachineExport.GZIP.equals(format) && !VirtualMachineExport.RAW.equals(format)) {
                throw new IllegalArgumentException("--format is gzip or raw, not " + format);
            }
            if (output == null && !manifest) {
                throw new IllegalArgumentException("--output FILE is needed");
            }
            ObjectReference source = source();
            try (KubernetesClient client = kube.client()) {
                String namespace = kube.namespace(client);
                if (source != null) {
                    create(client, namespace, source);
                }
                try {
                    VirtualMachineExport export = awaitReady(client, namespace);
                    VirtualMachineExport.Link link = link(export);
                    String token = token(client, namespace, export);
                    SSLContext http = tls(link.cert);
                    if (manifest) {
                        manifests(http, link, token);
                    } else {
                        String url = url(link);
                        spec.commandLine().getErr().println("Downloading file: " + url.replaceAll("\\?.*", ""));
                        long bytes = VirtualMachineExport.RAW.equals(format) ? raw(http, url, token) : whole(http, url, token);
                        spec.commandLine().getOut().printf("Download finished succesfully: %d bytes to %s%n", bytes, output);
                    }
                } finally {
                    if (source != null && !keep) {
                        deleteExport(client, namespace, name);
                    }
                }
            }
            return 0;
        }

        /** Waits (watching, as {@code ferry migrate --wait} does) for the export to be Ready with its links. */
        private VirtualMachineExport awaitReady(KubernetesClient client, String namespace) throws Exception {
            var resource = client.resources(VirtualMachineExport.class).inNamespace(namespace).withName(name);
            if (resource.get() == null) {
                throw new IllegalArgumentException("VirtualMachineExport \"" + name + "\" not found in namespace " + namespace);
            }
            VirtualMachineExport[] last = {null};
            VirtualMachineExport export;
            try {
                export = resource.waitUntilCondition(now -> {
                    last[0] = now;
                    return now == null || (now.getStatus() != null && VirtualMachineExport.READY.equals(now.getStatus().phase)
                            && now.getStatus().links != null);
                }, Durations.parse("--wait", wait).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (io.fabric8.kubernetes.client.KubernetesClientTimeoutException e) {
                VirtualMachineExport seen = last[0];
                String why = seen == null || seen.getStatus() == null || seen.getStatus().conditions.isEmpty() ? "no status yet"
                        : seen.getStatus().conditions.get(0).reason + ": " + seen.getStatus().conditions.get(0).message;
                throw new IllegalStateException("VirtualMachineExport " + name + " is not Ready after " + wait + " (" + why + ")");
            }
            if (export == null) {
                throw new IllegalStateException("VirtualMachineExport " + name + " was deleted while waiting for it");
            }
            return export;
        }

        /** The external link, or the internal one reached at {@code --service-url}. */
        private VirtualMachineExport.Link link(VirtualMachineExport export) {
            if (serviceUrl == null) {
                if (export.getStatus().links.external == null) {
                    throw new IllegalStateException("export " + name + " has no external link; reach its Service "
                            + export.getStatus().serviceName + " (e.g. kubectl port-forward) and give --service-url");
                }
                return export.getStatus().links.external;
            }
            VirtualMachineExport.Link internal = export.getStatus().links.internal;
            String base = "https://" + export.getStatus().serviceName + "." + export.getMetadata().getNamespace() + ".svc";
            String to = serviceUrl.endsWith("/") ? serviceUrl.substring(0, serviceUrl.length() - 1) : serviceUrl;
            VirtualMachineExport.Link moved = new VirtualMachineExport.Link();
            moved.cert = internal.cert;
            for (VirtualMachineExport.Volume v : internal.volumes) {
                VirtualMachineExport.Volume copy = new VirtualMachineExport.Volume();
                copy.name = v.name;
                v.formats.forEach(f -> copy.formats.add(new VirtualMachineExport.Format(f.format, f.url.replace(base, to))));
                moved.volumes.add(copy);
            }
            internal.manifests.forEach(m -> moved.manifests.add(new VirtualMachineExport.Manifest(m.type, m.url.replace(base, to))));
            return moved;
        }

        private String url(VirtualMachineExport.Link link) {
            VirtualMachineExport.Volume chosen;
            if (volume != null) {
                chosen = link.volumes.stream().filter(v -> volume.equals(v.name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                        "the export has no volume " + volume + "; it has " + link.volumes.stream().map(v -> v.name).toList()));
            } else if (link.volumes.size() == 1) {
                chosen = link.volumes.get(0);
            } else {
                throw new IllegalArgumentException("the export has several volumes " + link.volumes.stream().map(v -> v.name).toList()
                        + ": choose one with --volume");
            }
            // an archive (a filesystem's files) is served as dir/ and tar.gz: gzip takes the tar.gz, as virtctl does
            return chosen.formats.stream().filter(f -> format.equals(f.format)
                    || (VirtualMachineExport.GZIP.equals(format) && VirtualMachineExport.TAR_GZ.equals(f.format))).findFirst()
                    .orElseThrow(() -> new IllegalStateException("volume " + chosen.name + " is not served as " + format + " (it is served as "
                            + chosen.formats.stream().map(f -> f.format).toList() + ")")).url;
        }

        private String token(KubernetesClient client, String namespace, VirtualMachineExport export) {
            Secret secret = client.secrets().inNamespace(namespace).withName(export.getStatus().tokenSecretRef).get();
            String value = secret == null || secret.getData() == null ? null : secret.getData().get("token");
            if (value == null) {
                throw new IllegalStateException("the token Secret " + export.getStatus().tokenSecretRef + " has no key 'token'");
            }
            return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8).strip();
        }

        private SSLContext tls(String cert) throws Exception {
            if (insecure) {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new TrustEverything()}, null);
                return context;
            }
            Path pem = Files.createTempFile("vmexport-ca", ".pem");
            try {
                Files.writeString(pem, cert);
                return PemTls.context(null, null, pem);
            } finally {
                Files.deleteIfExists(pem);
            }
        }

        private void manifests(SSLContext http, VirtualMachineExport.Link link, String token) throws Exception {
            StringBuilder text = new StringBuilder();
            for (VirtualMachineExport.Manifest m : link.manifests) {
                if ("all".equals(m.type) || (includeSecret && "auth-header-secret".equals(m.type))) {
                    try (Got got = get(http, m.url, token, null)) {
                        String body = new String(got.body().readAllBytes(), StandardCharsets.UTF_8);
                        if (got.status() != 200) {
                            throw new IOException("GET " + m.url + ": HTTP " + got.status() + " " + body.strip());
                        }
                        if (!text.isEmpty()) {
                            text.append("---\n");
                        }
                        text.append(body);
                    }
                }
            }
            if (output == null) {
                spec.commandLine().getOut().print(text);
            } else {
                Files.writeString(output, text);
            }
        }

        /** A response: status, Content-Length (-1 unknown) and body (the error text for a refusal). */
        private record Got(int status, long length, InputStream body) implements AutoCloseable {
            @Override
            public void close() throws IOException {
                body.close();
            }
        }

        /**
         * GET {@code url} with the token (from {@code from} on with a Range): HttpsURLConnection reads
         * TLS straight from its socket, several times the throughput of java.net.http's client here.
         */
        private Got get(SSLContext tls, String url, String token, Long from) throws IOException {
            HttpsURLConnection connection = (HttpsURLConnection) URI.create(url).toURL().openConnection();
            connection.setSSLSocketFactory(tls.getSocketFactory());
            if (insecure) {
                connection.setHostnameVerifier((host, session) -> true);
            }
            connection.setConnectTimeout(30_000);
            connection.setReadTimeout(120_000);
            connection.setRequestProperty(TOKEN_HEADER, token);
            if (from != null) {
                connection.setRequestProperty("Range", "bytes=" + from + "-");
            }
            int status = connection.getResponseCode();
            InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            return new Got(status, connection.getContentLengthLong(), body == null ? InputStream.nullInputStream() : body);
        }

        private static RefusedException refused(String url, Got got) throws IOException {
            return new RefusedException("GET " + url.replaceAll("\\?.*", "") + ": HTTP " + got.status() + " "
                    + new String(got.body().readNBytes(4096), StandardCharsets.UTF_8).strip());
        }

        /** A raw disk, written sparse (all-zero blocks are skipped); a broken download resumes at the first byte not yet written. */
        private long raw(SSLContext http, String url, String token) throws Exception {
            TransferProgress progress = new TransferProgress();
            long[] done = {0};
            int attempts = 0;
            try (FileChannel out = FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING); ProgressBar bar = ProgressBar.start(progress, !noProgress)) {
                while (true) {
                    try {
                        try (Got got = get(http, url, token, done[0] == 0 ? null : done[0])) {
                            if (got.status() != 200 && got.status() != 206) {
                                throw refused(url, got);
                            }
                            if (got.status() == 200) {
                                // the whole disk again (a server that does not resume): what an earlier attempt wrote goes
                                done[0] = 0;
                                out.truncate(0);
                                progress.reset();
                                progress.diskTotal(got.length());
                            }
                            long end = got.length() < 0 ? -1 : done[0] + got.length();
                            copySparse(got.body(), out, done, progress);
                            if (end >= 0 && done[0] < end) {
                                throw new IOException("the connection ended at byte " + done[0] + " of " + end);
                            }
                        }
                        bar.complete();
                        extend(out, done[0]);
                        return done[0];
                    } catch (RefusedException e) {
                        throw e;
                    } catch (IOException e) {
                        if (attempts++ >= retries) {
                            throw new IOException("the download broke at byte " + done[0] + " (" + e.getMessage() + "); --retry N resumes it", e);
                        }
                        spec.commandLine().getErr().printf("%nthe download broke at byte %d (%s); resuming%n", done[0], e.getMessage());
                    }
                }
            }
        }

        /** The file's length is the disk's, holes at its end included. */
        private static void extend(FileChannel out, long length) throws IOException {
            if (out.size() < length) {
                out.write(ByteBuffer.wrap(new byte[1]), length - 1);
            }
        }

        /** Copies {@code in} to {@code out} from {@code at[0]}, all-zero blocks skipped; {@code at[0]} follows each block written. */
        private static void copySparse(InputStream in, FileChannel out, long[] at, TransferProgress progress) throws IOException {
            byte[] block = new byte[1 << 20];
            while (true) {
                int n = in.readNBytes(block, 0, block.length);
                if (n == 0) {
                    return;
                }
                if (!zero(block, n)) {
                    ByteBuffer data = ByteBuffer.wrap(block, 0, n);
                    while (data.hasRemaining()) {
                        out.write(data, at[0] + data.position());
                    }
                }
                at[0] += n;
                progress.written(n);
                if (n < block.length) {
                    return;
                }
            }
        }

        private static final byte[] ZEROS = new byte[1 << 20];

        private static boolean zero(byte[] block, int n) {
            return java.util.Arrays.mismatch(block, 0, n, ZEROS, 0, n) < 0;
        }

        /** A file as served (gzip); a broken download starts again. */
        private long whole(SSLContext http, String url, String token) throws Exception {
            TransferProgress progress = new TransferProgress();
            int attempts = 0;
            while (true) {
                progress.reset();
                try (ProgressBar bar = ProgressBar.start(progress, !noProgress)) {
                    try (Got got = get(http, url, token, null); OutputStream out = Files.newOutputStream(output)) {
                        if (got.status() != 200) {
                            throw refused(url, got);
                        }
                        InputStream body = got.body();
                        byte[] buffer = new byte[1 << 20];
                        long total = 0;
                        int n;
                        while ((n = body.read(buffer)) > 0) {
                            out.write(buffer, 0, n);
                            total += n;
                            progress.written(n);
                        }
                        bar.complete();
                        return total;
                    }
                } catch (RefusedException e) {
                    throw e;
                } catch (IOException e) {
                    if (attempts++ >= retries) {
                        throw new IOException("the download broke (" + e.getMessage() + "); --retry N starts it again", e);
                    }
                    spec.commandLine().getErr().printf("%nthe download broke (%s); starting again%n", e.getMessage());
                }
            }
        }
    }

    /** The server answered with a refusal (401, 404, …): trying again will not help. */
    static final class RefusedException extends IOException {
        RefusedException(String message) {
            super(message);
        }
    }

}
