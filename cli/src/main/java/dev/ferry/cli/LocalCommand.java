package dev.ferry.cli;

import dev.ferry.local.app.LocalMode;
import dev.ferry.snapshot.mover.VolumeMover;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry local up}: the whole stack on this machine, until interrupted; {@code ferry local
 * clone-volume}: the copy local storage makes for a CSI clone or a snapshot, on its own.
 */
@Command(name = "local", mixinStandardHelpOptions = true, description = "Run Ferry on this machine (local mode).",
        subcommands = {LocalCommand.Up.class, LocalCommand.CloneVolume.class})
final class LocalCommand {

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the API server, controllers, upload proxy and local node; stop with Ctrl-C.")
    static final class Up implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data-root", paramLabel = "DIR", description = "Where volumes, logs and state live (default ~/.ferry/local).")
        Path dataRoot = Kube.LOCAL_ROOT;

        @Option(names = "--api-port", defaultValue = "0", paramLabel = "PORT", description = "API server port (default: any free port).")
        int apiPort;

        @Option(names = "--proxy-port", defaultValue = "0", paramLabel = "PORT", description = "Upload proxy port (default: any free port).")
        int proxyPort;

        @Option(names = "--runtime", defaultValue = "process", paramLabel = "process|podman",
                description = "How worker Pods run: as processes of this build (default), or as podman containers of --image "
                        + "(launchers of --launcher-image).")
        String runtime;

        @Option(names = "--image", defaultValue = "localhost/ferry:latest", paramLabel = "IMAGE",
                description = "The image --runtime podman runs data workers from (make images; podman load -i target/images/ferry.tar).")
        String image;

        @Option(names = "--launcher-image", paramLabel = "IMAGE",
                description = "With --runtime podman: run launchers as containers of IMAGE too (target/images/ferry-launcher.tar), "
                        + "else as processes.")
        String launcherImage;

        @Override
        public Integer call() throws Exception {
            if (!"process".equals(runtime) && !"podman".equals(runtime)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--runtime is process or podman, not " + runtime);
            }
            boolean podman = "podman".equals(runtime);
            LocalMode local = new LocalMode(dataRoot, apiPort, proxyPort, podman ? image : null, podman ? launcherImage : null);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                local.close();
                stopped.countDown();
            }, "ferry-local-shutdown"));
            var out = spec.commandLine().getOut();
            out.printf("ferry local mode is up%n  API server    %s%n  kubeconfig    %s%n  upload proxy  %s%n  data root     %s%n"
                    + "  clones        %s%n", local.apiUrl(), local.kubeconfig(), local.uploadProxyUrl(), dataRoot.toAbsolutePath(),
                    local.reflinkSupported() ? "reflink (the data root shares blocks: clones and snapshots are instant)"
                            : "sparse copy (the data root cannot share blocks; XFS with reflink=1 or btrfs can)");
            out.printf("  worker Pods   %s%n", podman ? "podman containers of " + image + " (launchers: "
                    + (launcherImage == null ? "processes" : "containers of " + launcherImage) + ")" : "processes of this build");
            out.printf("  block volumes %s%n", local.blockVolumesAtStart().isEmpty() ? "none yet (each Block claim gets a loop device)"
                    : String.join("\n                ", local.blockVolumesAtStart()));
            out.printf("for kubectl and the Kubernetes clients:%n  export KUBECONFIG=%s%n", local.kubeconfig().toAbsolutePath());
            out.printf("try: kubectl apply -f manifests/examples/blank.yaml && kubectl get dv (or ferry apply / ferry get dv)%n");
            out.flush();
            stopped.await();
            return 0;
        }
    }

    @Command(name = "clone-volume", mixinStandardHelpOptions = true,
            description = "Copy a volume (a directory or a file) as local storage clones and snapshots it: by reflink where the"
                    + " filesystem shares blocks, else by sparse copy of the data extents only; synced when done.")
    static final class CloneVolume implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SOURCE", description = "The volume to copy.")
        Path source;

        @Parameters(index = "1", paramLabel = "TARGET", description = "Where the copy goes (must not exist).")
        Path target;

        @Option(names = "--no-reflink", description = "Copy the data even where blocks could be shared.")
        boolean noReflink;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(target)) {
                spec.commandLine().getErr().printf("%s exists; the copy goes to a new path%n", target);
                return 2;
            }
            // as local storage does once at start: native access loaded and the filesystem probed, outside the timing
            Path parent = target.toAbsolutePath().getParent();
            boolean shares = !noReflink && VolumeMover.reflinkSupported(parent);
            VolumeMover.Moved moved = VolumeMover.copy(source, target, shares);
            spec.commandLine().getOut().printf("%s %d data bytes in %d ms%n", moved.method() == VolumeMover.Method.REFLINK ? "reflink"
                    : "sparse-copy", moved.dataBytes(), moved.millis());
            return 0;
        }
    }

    static Path uploadProxyUrlFile(Path root) {
        return root.resolve("uploadproxy-url");
    }
}
