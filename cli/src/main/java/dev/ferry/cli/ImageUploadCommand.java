package dev.ferry.cli;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.importer.source.http.HttpClients;
import dev.ferry.uploader.client.UploadClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry image-upload}: virtctl's command, with its flags. Sends the image to the upload
 * proxy with a progress bar, and resumes by itself after a dropped connection.
 */
@Command(name = "image-upload", mixinStandardHelpOptions = true,
        description = "Upload a local disk image to a DataVolume or PVC through the upload proxy (virtctl-compatible).")
final class ImageUploadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..2", paramLabel = "dv|pvc NAME", description = "What to upload to: `dv NAME` or `pvc NAME`.")
    List<String> target = List.of();

    @Option(names = "--image-path", paramLabel = "FILE", description = "The image to upload (qcow2, raw, iso; may be gz/xz/zstd-compressed).")
    Path imagePath;

    @Option(names = "--archive-path", paramLabel = "FILE", description = "A tar archive to upload and extract (contentType archive).")
    Path archivePath;

    @Option(names = "--pvc-name", paramLabel = "NAME", description = "Deprecated virtctl form of `pvc NAME`.")
    String pvcName;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", paramLabel = "NS", description = "Namespace of the volume (default: default).")
    String namespace;

    @Option(names = {"--size", "--pvc-size"}, paramLabel = "SIZE", description = "Size of the volume to create (e.g. 10Gi).")
    String size;

    @Option(names = "--uploadproxy-url", paramLabel = "URL", description = "The upload proxy, e.g. https://cdi-uploadproxy.example.com.")
    URI uploadProxyUrl;

    @Option(names = "--insecure", description = "Do not verify the upload proxy's certificate.")
    boolean insecure;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "An upload token to use instead of creating the DataVolume and requesting one (re-read before each retry).")
    Path tokenFile;

    @Option(names = "--no-create", description = "Do not create the volume; it must exist.")
    boolean noCreate;

    @Option(names = "--access-mode", paramLabel = "MODE", description = "Access mode of the volume to create (e.g. ReadWriteOnce).")
    String accessMode;

    @Option(names = "--volume-mode", paramLabel = "MODE", description = "block or filesystem.")
    String volumeMode;

    @Option(names = "--block-volume", description = "Deprecated: same as --volume-mode block.")
    boolean blockVolume;

    @Option(names = "--storage-class", paramLabel = "CLASS", description = "Storage class of the volume to create.")
    String storageClass;

    @Option(names = "--wait-secs", defaultValue = "300", paramLabel = "SECONDS", description = "How long to wait for the upload server (default 300).")
    int waitSecs;

    @Option(names = "--force-bind", description = "Bind the volume at once even with a WaitForFirstConsumer storage class.")
    boolean forceBind;

    @Option(names = "--retry", defaultValue = "5", paramLabel = "N", description = "Dropped connections to resume from (default 5).")
    int retry;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Kubeconfig (default: $KUBECONFIG, then local mode's, then ~/.kube/config).")
    Path kubeconfig;

    @Override
    public Integer call() throws Exception {
        Path image = image();
        String[] volume = volume();
        Kube kube = new Kube();
        kube.kubeconfig = kubeconfig;
        if (uploadProxyUrl == null && tokenFile == null && kube.localRoot() != null) {
            uploadProxyUrl = URI.create(Files.readString(LocalCommand.uploadProxyUrlFile(kube.localRoot())).strip());
        }
        if (uploadProxyUrl == null) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT,
                    "--uploadproxy-url is required (the upload proxy's address, e.g. https://cdi-uploadproxy.example.com)");
        }
        if (tokenFile != null) {
            upload(image, volume[1], this::readToken);
            return 0;
        }
        if (volume[0].equals("pvc")) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "Ferry uploads into DataVolumes: use `dv "
                    + volume[1] + "` (or pass --token-file for a PVC whose upload server you run yourself)");
        }
        try (KubernetesClient client = kube.client()) {
            UploadVolumes volumes = new UploadVolumes(client);
            if (!noCreate) {
                if (size == null) {
                    throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "--size is required to create DataVolume "
                            + namespace + "/" + volume[1] + " (or --no-create to upload to an existing one)");
                }
                volumes.create(new UploadVolumes.Request(namespace, volume[1], size, accessMode,
                        blockVolume ? "Block" : volumeMode == null ? null : capitalize(volumeMode), storageClass, forceBind,
                        archivePath != null));
                spec.commandLine().getErr().printf("DataVolume %s/%s created%n", namespace, volume[1]);
            }
            volumes.awaitUploadReady(namespace, volume[1], Duration.ofSeconds(waitSecs));
            upload(image, volume[1], new FreshToken(volumes, namespace, volume[1]));
            spec.commandLine().getErr().printf("DataVolume %s/%s: %s%n", namespace, volume[1], awaitOutcome(volumes, volume[1]));
        }
        return 0;
    }

    private void upload(Path image, String name, java.util.function.Supplier<String> token) throws IOException {
        long length = Files.size(image);
        TransferProgress progress = new TransferProgress();
        progress.sourceTotal(length);
        AtomicLong reported = new AtomicLong();
        long started = System.nanoTime();
        try (ProgressBar bar = ProgressBar.start(progress, !noProgress && Terminal.isInteractive())) {
            client(namespace + "/" + name, token).upload(image, offset -> progress.read(offset - reported.getAndSet(offset)));
            bar.complete();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        spec.commandLine().getErr().printf("uploaded %s to %s/%s in %.1f s (%s/s)%n", Sizes.human(length), namespace, name,
                seconds, Sizes.human((long) (length / Math.max(seconds, 1e-3))));
    }

    /** The controller notices the finished upload server within seconds: report what it says. */
    private String awaitOutcome(UploadVolumes volumes, String name) throws InterruptedException {
        String phase = null;
        for (int i = 0; i < 60 && !"Succeeded".equals(phase) && !"Failed".equals(phase); i++) {
            phase = volumes.phase(namespace, name);
            Thread.sleep(500);
        }
        return phase == null ? "phase unknown" : phase;
    }

    /** Tokens live 5 minutes: a new one for each attempt after four. */
    private static final class FreshToken implements java.util.function.Supplier<String> {
        private final UploadVolumes volumes;
        private final String namespace;
        private final String name;
        private String token;
        private long issued;

        FreshToken(UploadVolumes volumes, String namespace, String name) {
            this.volumes = volumes;
            this.namespace = namespace;
            this.name = name;
        }

        @Override
        public synchronized String get() {
            if (token == null || System.nanoTime() - issued > Duration.ofMinutes(4).toNanos()) {
                try {
                    token = volumes.requestToken(namespace, name);
                    issued = System.nanoTime();
                } catch (IOException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
            return token;
        }
    }

    private static String capitalize(String mode) {
        return mode.equalsIgnoreCase("block") ? "Block" : mode.equalsIgnoreCase("filesystem") ? "Filesystem" : mode;
    }

    private UploadClient client(String volume, java.util.function.Supplier<String> token) throws IOException {
        SSLContext tls = "https".equals(uploadProxyUrl.getScheme()) ? HttpClients.sslContext(null, insecure) : null;
        return new UploadClient(uploadProxyUrl, token, volume, tls, insecure, retry, Duration.ofSeconds(waitSecs));
    }

    private String readToken() {
        try {
            return Files.readString(tokenFile).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read --token-file " + tokenFile + ": " + e.getMessage(), e);
        }
    }

    private Path image() throws DiskException {
        if ((imagePath == null) == (archivePath == null)) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "give exactly one of --image-path and --archive-path");
        }
        Path path = imagePath != null ? imagePath : archivePath;
        if (!Files.isRegularFile(path)) {
            throw new DiskException(DiskException.Reason.SOURCE_NOT_FOUND, path + " is not a file");
        }
        return path;
    }

    /** {"dv"|"pvc", name}, from the positional form or --pvc-name. */
    private String[] volume() throws DiskException {
        if (target.size() == 2 && (target.get(0).equals("dv") || target.get(0).equals("pvc"))) {
            return new String[] {target.get(0), target.get(1)};
        }
        if (target.isEmpty() && pvcName != null) {
            return new String[] {"pvc", pvcName};
        }
        throw new DiskException(DiskException.Reason.INVALID_ARGUMENT,
                "name the volume: `ferry image-upload dv NAME ...` or `ferry image-upload pvc NAME ...`");
    }
}
