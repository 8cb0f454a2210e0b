package dev.ferry.cli;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.Sizes;
import dev.ferry.disk.checksum.Checksum;
import dev.ferry.disk.convert.ImportOptions;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.progress.TransferProgress;
import dev.ferry.importer.Importer;
import dev.ferry.importer.source.SourceOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry import}: an image from a path or URL into a raw disk file, block device or (archives) directory. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a disk image (qcow2, raw, iso; optionally gz/xz/zstd-compressed) into a raw disk.")
final class ImportCommand implements Callable<Integer> {
    @Option(names = "--source", required = true, paramLabel = "URL",
            description = "Image to import: a path, file://, http(s)://, s3://bucket/key or docker://registry/repo:tag URL.")
    String source;

    @Option(names = "--dest", required = true, paramLabel = "PATH",
            description = "Raw disk to write: a file (created sparse) or an existing block device;"
                    + " a directory with --content-type archive.")
    Path dest;

    @Option(names = "--size", paramLabel = "SIZE", description = "Final disk size (e.g. 10Gi); never below the image's virtual size.")
    String size;

    @Option(names = "--checksum", paramLabel = "ALGO:HEX", description = "Expected checksum of the source bytes (md5, sha1, sha256, sha512).")
    String checksum;

    @Option(names = "--content-type", defaultValue = "kubevirt", paramLabel = "TYPE",
            description = "kubevirt (a disk image, the default) or archive (a tar to extract).")
    String contentType;

    @Option(names = "--preallocation", description = "Allocate the whole disk up front.")
    boolean preallocate;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Option(names = "--cert-dir", paramLabel = "DIR", description = "Extra CA certificates (PEM files) to trust, like CDI's certConfigMap.")
    Path certDir;

    @Option(names = {"--insecure-skip-verify", "--insecure-registry"}, description = "Do not verify TLS certificates.")
    boolean insecure;

    @Option(names = "--header", paramLabel = "'NAME: VALUE'", description = "Extra HTTP request header (repeatable), like CDI's extraHeaders.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--secret-dir", paramLabel = "DIR", description = "Credentials: files accessKeyId and secretKey, as CDI mounts a secretRef.")
    Path secretDir;

    @Option(names = "--retries", defaultValue = "5", paramLabel = "N", description = "Retries after a dropped connection or stall (default 5).")
    int retries;

    @Option(names = "--stall-timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "A transfer that delivers nothing for this long is retried (default 60s).")
    String stallTimeout;

    @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3-compatible endpoint for s3:// sources (path-style).")
    String s3Endpoint;

    @Option(names = "--platform", paramLabel = "ARCH", description = "Architecture to pick from a registry manifest list (default: this machine's).")
    String platform;

    @Override
    public Integer call() throws Exception {
        ImportOptions options = new ImportOptions(archive(), requestedSize(),
                checksum == null ? null : Checksum.parse(checksum), preallocate);
        TransferProgress progress = new TransferProgress();
        ImportResult result;
        try (ProgressBar bar = ProgressBar.start(progress, !noProgress && Terminal.isInteractive())) {
            result = Importer.run(source, sourceOptions(), dest, options, progress);
            bar.complete();
        }
        System.err.printf("imported %s%s: %s disk at %s (%s read in %.1f s)%n", result.format().label(),
                result.compression() == null ? "" : " (" + result.compression().label() + ")",
                Sizes.human(result.diskSize()), dest, Sizes.human(result.sourceBytes()), result.millis() / 1000.0);
        return 0;
    }

    private SourceOptions sourceOptions() throws DiskException {
        return new SourceOptions(certDir, insecure, List.copyOf(headers), secretDir, retries,
                Durations.parse("--stall-timeout", stallTimeout), s3Endpoint, platform);
    }

    private boolean archive() throws DiskException {
        return switch (contentType) {
            case "kubevirt" -> false;
            case "archive" -> true;
            default -> throw new DiskException(DiskException.Reason.INVALID_ARGUMENT,
                    "--content-type must be kubevirt or archive, not '" + contentType + "'");
        };
    }

    private long requestedSize() throws DiskException {
        if (size == null) {
            return -1;
        }
        try {
            return Sizes.parse(size);
        } catch (IllegalArgumentException e) {
            throw new DiskException(DiskException.Reason.INVALID_ARGUMENT, "--size: " + e.getMessage());
        }
    }
}
