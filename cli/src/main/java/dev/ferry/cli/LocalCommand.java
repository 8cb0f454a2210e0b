package dev.ferry.cli;

import dev.ferry.local.app.LocalMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry local up}: the whole stack on this machine, until interrupted. */
@Command(name = "local", mixinStandardHelpOptions = true, description = "Run Ferry on this machine (local mode).",
        subcommands = LocalCommand.Up.class)
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

        @Override
        public Integer call() throws Exception {
            LocalMode local = new LocalMode(dataRoot, apiPort, proxyPort);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                local.close();
                stopped.countDown();
            }, "ferry-local-shutdown"));
            var out = spec.commandLine().getOut();
            out.printf("ferry local mode is up%n  API server    %s%n  kubeconfig    %s%n  upload proxy  %s%n  data root     %s%n",
                    local.apiUrl(), local.kubeconfig(), local.uploadProxyUrl(), dataRoot.toAbsolutePath());
            out.printf("try: ferry apply -f manifests/examples/blank.yaml && ferry get dv%n");
            out.flush();
            stopped.await();
            return 0;
        }
    }

    static Path uploadProxyUrlFile(Path root) {
        return root.resolve("uploadproxy-url");
    }
}
