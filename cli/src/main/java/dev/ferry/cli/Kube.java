package dev.ferry.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How client commands find their cluster: {@code --kubeconfig}, else {@code $KUBECONFIG}, else a
 * running local mode's ({@code ~/.ferry/local/kubeconfig}), else {@code ~/.kube/config}.
 */
final class Kube {
    static final Path LOCAL_ROOT = Path.of(System.getProperty("user.home"), ".ferry", "local");

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Kubeconfig (default: $KUBECONFIG, then local mode's, then ~/.kube/config).")
    Path kubeconfig;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace (default: the kubeconfig's, else default).")
    String namespace;

    KubernetesClient client() throws IOException {
        Path file = kubeconfigFile();
        if (file == null) {
            return new KubernetesClientBuilder().build();
        }
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(file))).build();
    }

    String namespace(KubernetesClient client) {
        if (namespace != null) {
            return namespace;
        }
        String configured = client.getNamespace();
        return configured == null ? "default" : configured;
    }

    /** The kubeconfig in use, or null for fabric8's defaults. */
    Path kubeconfigFile() {
        if (kubeconfig != null) {
            return kubeconfig;
        }
        String env = System.getenv("KUBECONFIG");
        if (env != null && !env.isBlank()) {
            return Path.of(env.split(":")[0]);
        }
        Path local = LOCAL_ROOT.resolve("kubeconfig");
        return Files.exists(local) ? local : null;
    }

    /** The local mode data root that wrote the kubeconfig in use, or null for a real cluster. */
    Path localRoot() {
        Path file = kubeconfigFile();
        if (file == null) {
            return null;
        }
        Path root = file.toAbsolutePath().getParent();
        return Files.exists(root.resolve("uploadproxy-url")) ? root : null;
    }
}
