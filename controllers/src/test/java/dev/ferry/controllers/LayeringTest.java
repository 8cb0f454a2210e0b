package dev.ferry.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering the architecture asks for, checked on the sources: only the {@code k8s} and
 * {@code app} packages of the controllers talk to the Kubernetes client — and {@code local},
 * local mode's runtime, which plays API server and kubelet — while decisions and builders use the
 * model only; no data-plane module depends on fabric8 at all.
 */
class LayeringTest {
    private static final String CLIENT = "import io.fabric8.kubernetes.client";

    @Test
    void onlyK8sAndAppPackagesUseTheClient() throws IOException {
        List<Path> offenders = sources(Path.of("src/main/java/dev/ferry/controllers"))
                .filter(p -> !p.toString().contains("/k8s/") && !p.toString().contains("/app/")
                        && !p.toString().contains("/local/"))
                .filter(p -> contains(p, CLIENT)).toList();
        assertThat(offenders).isEmpty();
    }

    @Test
    void inTheVmRuntimeOnlyTheNodeHandlerTalksToTheApiServer() throws IOException {
        List<Path> offenders = sources(Path.of("..", "vm-runtime", "src/main/java"))
                .filter(p -> !p.toString().contains("/handler/") && !p.toString().endsWith("NodeHandlerMain.java"))
                .filter(p -> contains(p, "io.fabric8.kubernetes.client.KubernetesClient")).toList();
        assertThat(offenders).as("the launcher gets its VMI from its environment, never from the API").isEmpty();
    }

    @Test
    void dataPlaneModulesNeverTouchKubernetes() throws IOException {
        for (String module : List.of("disk", "worker", "importer", "uploader")) {
            List<Path> offenders = sources(Path.of("..", module, "src/main/java"))
                    .filter(p -> contains(p, "import io.fabric8")).toList();
            assertThat(offenders).as(module).isEmpty();
            assertThat(Files.readString(Path.of("..", module, "pom.xml"))).as(module + "/pom.xml").doesNotContain("io.fabric8");
        }
    }

    private static Stream<Path> sources(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList().stream();
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.readString(file).contains(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
