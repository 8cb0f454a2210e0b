package dev.ferry.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.local.app.LocalMode;
import dev.ferry.vmruntime.testing.AgentGuest;
import dev.ferry.vmruntime.testing.TestGuest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The running guests of one namespace on local mode: their VMIs, consoles and Velero backup hooks. */
final class Guests {
    private final LocalMode local;
    private final KubernetesClient client;
    private final String namespace;

    Guests(LocalMode local, String namespace) {
        this.local = local;
        this.client = local.client();
        this.namespace = namespace;
    }

    /** What a hook command printed; it exited 0 (Velero fails the backup otherwise). */
    record Hook(String out, String err) {
    }

    VirtualMachine vm(String name) {
        return client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).get();
    }

    VirtualMachineInstance vmi(String name) {
        return client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(name).get();
    }

    /** The console of the VM's running guest once it counts and its agent answers. */
    Path awaitAgent(String name) throws IOException {
        Path console = awaitCounting(name);
        awaitVmi(name, vmi -> vmi.getStatus().conditions != null && vmi.getStatus().conditions.stream()
                .anyMatch(c -> "AgentConnected".equals(c.type) && "True".equals(c.status)), Duration.ofSeconds(60));
        return console;
    }

    /** The console of the VM's running guest once it has counted twice since it booted. */
    Path awaitCounting(String name) throws IOException {
        VirtualMachineInstance vmi = awaitVmi(name, v -> "Running".equals(v.getStatus().phase) && v.getStatus().launcherPod != null,
                Duration.ofSeconds(180));
        Path console = consoleLog(vmi.getStatus().launcherPod);
        await(name + " counts").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            String text = log(console);
            int boot = AgentGuest.counterAtBoot(text);
            return boot >= 0 && TestGuest.lastCounter(console) >= boot + 2;
        });
        return console;
    }

    VirtualMachineInstance awaitVmi(String name, Predicate<VirtualMachineInstance> state, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                VirtualMachineInstance vmi = vmi(name);
                return vmi != null && vmi.getStatus() != null && state.test(vmi);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("VMI " + namespace + "/" + name + " did not get there: " + Serialization.asYaml(vmi(name))
                    + Serialization.asYaml(vm(name))
                    + Serialization.asYaml(client.resources(DataVolume.class).inNamespace(namespace).list().getItems()), e);
        }
        return vmi(name);
    }

    /** The serial console log of the launcher Pod {@code pod}. */
    Path consoleLog(String pod) throws IOException {
        try (var dirs = Files.list(local.kubeconfig().getParent().resolve("pods").resolve(namespace))) {
            return dirs.filter(p -> p.getFileName().toString().startsWith(pod + "-")).findFirst().orElseThrow()
                    .resolve("volumes/console/console.log");
        }
    }

    static String log(Path console) throws IOException {
        return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
    }

    /**
     * Runs the launcher Pod's Velero backup hook as Velero runs it: the annotation's command in the
     * launcher's environment (its control port where local mode put it). The launcher image has
     * /usr/bin/virt-freezer; here it is this build's {@code ferry virt-freezer}.
     */
    Hook hook(String vm, boolean pre) throws Exception {
        Pod pod = client.pods().inNamespace(namespace).withName(vmi(vm).getStatus().launcherPod).get();
        var annotations = pod.getMetadata().getAnnotations();
        String prefix = pre ? "pre" : "post";
        assertThat(annotations).containsEntry(prefix + ".hook.backup.velero.io/container", "compute");
        List<String> command = Serialization.unmarshal(annotations.get(prefix + ".hook.backup.velero.io/command"), List.class);
        assertThat(command.get(0)).isEqualTo("/usr/bin/virt-freezer");
        List<String> run = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), dev.ferry.cli.Ferry.class.getName(), "virt-freezer"));
        run.addAll(command.subList(1, command.size()));
        ProcessBuilder builder = new ProcessBuilder(run);
        builder.environment().put("FERRY_METRICS_PORT", annotations.get(dev.ferry.worker.WorkerPods.ANN_METRICS_PORT));
        Process process = builder.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the hook ends within its 60 s timeout").isTrue();
        Hook hook = new Hook(out, new String(err.get(), StandardCharsets.UTF_8));
        assertThat(process.exitValue()).as("%s hook of %s: %s", prefix, vm, hook).isZero();
        return hook;
    }
}
