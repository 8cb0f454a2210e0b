package dev.ferry.cli;

import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.api.kubevirt.v1.VmSpec;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.vm.RunStrategy;
import dev.ferry.controllers.handler.NodeDecision;
import dev.ferry.controllers.vmi.LauncherAddress;
import dev.ferry.worker.launcher.LauncherClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry start|stop|restart|pause|unpause|console VM}, as virtctl does them: start and stop
 * change the run strategy (Halted ⇄ Always) or, for a Manual VM, queue a start or stop request;
 * restart queues stop-then-start; pause marks the VMI for the node handler.
 */
final class VmCommands {
    private VmCommands() {
    }

    /** A command on one VM: its name, the kubeconfig and namespace options, the output. */
    abstract static class VmCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kube kube;
        @Parameters(index = "0", paramLabel = "VM") String name;
    }

    private static VirtualMachine vm(KubernetesClient client, String namespace, String name) {
        VirtualMachine vm = client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).get();
        if (vm == null) {
            throw new IllegalArgumentException("VirtualMachine \"" + name + "\" not found in namespace " + namespace);
        }
        return vm;
    }

    private static VirtualMachineInstance vmi(KubernetesClient client, String namespace, String name) {
        return client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(name).get();
    }

    private static boolean active(VirtualMachineInstance vmi) {
        String phase = vmi == null || vmi.getStatus() == null ? VmiStatus.PENDING : vmi.getStatus().phase;
        return vmi != null && !VmiStatus.SUCCEEDED.equals(phase) && !VmiStatus.FAILED.equals(phase)
                && vmi.getMetadata().getDeletionTimestamp() == null;
    }

    private static void request(KubernetesClient client, VirtualMachine vm, VmStatus.StateChangeRequest... requests) {
        client.resources(VirtualMachine.class).inNamespace(vm.getMetadata().getNamespace()).withName(vm.getMetadata().getName())
                .editStatus(current -> {
                    VmStatus status = current.getStatus() == null ? new VmStatus() : current.getStatus();
                    List<VmStatus.StateChangeRequest> queued = new ArrayList<>(
                            status.stateChangeRequests == null ? List.of() : status.stateChangeRequests);
                    queued.addAll(List.of(requests));
                    status.stateChangeRequests = queued;
                    current.setStatus(status);
                    return current;
                });
    }

    /** Sets the run strategy the way the VM spells it: {@code running} if it uses that, else {@code runStrategy}. */
    private static void strategy(KubernetesClient client, VirtualMachine vm, String strategy) {
        client.resources(VirtualMachine.class).inNamespace(vm.getMetadata().getNamespace()).withName(vm.getMetadata().getName())
                .edit(current -> {
                    if (current.getSpec().running != null) {
                        current.getSpec().running = VmSpec.ALWAYS.equals(strategy);
                    } else {
                        current.getSpec().runStrategy = strategy;
                    }
                    return current;
                });
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a VirtualMachine.")
    static final class Start extends VmCommand {

        @Override
        public Integer call() throws Exception {
            try (KubernetesClient client = kube.client()) {
                String ns = kube.namespace(client);
                VirtualMachine vm = vm(client, ns, name);
                String strategy = RunStrategy.of(vm.getSpec());
                boolean running = active(vmi(client, ns, name));
                switch (strategy) {
                    case VmSpec.HALTED -> strategy(client, vm, VmSpec.ALWAYS);
                    case VmSpec.MANUAL, VmSpec.RERUN_ON_FAILURE -> {
                        if (running) {
                            throw new IllegalStateException("VM " + name + " is already running");
                        }
                        request(client, vm, new VmStatus.StateChangeRequest(VmStatus.StateChangeRequest.START, null));
                    }
                    default -> throw new IllegalStateException("VM " + name + " has runStrategy " + strategy
                            + (running ? " and is already running" : "; it starts by itself"));
                }
                spec.commandLine().getOut().printf("VM %s was scheduled to start%n", name);
            }
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop a VirtualMachine (ACPI shutdown, then power off after its grace period).")
    static final class Stop extends VmCommand {

        @Override
        public Integer call() throws Exception {
            try (KubernetesClient client = kube.client()) {
                String ns = kube.namespace(client);
                VirtualMachine vm = vm(client, ns, name);
                String strategy = RunStrategy.of(vm.getSpec());
                VirtualMachineInstance vmi = vmi(client, ns, name);
                if (VmSpec.MANUAL.equals(strategy)) {
                    if (!active(vmi)) {
                        throw new IllegalStateException("VM " + name + " is not running");
                    }
                    request(client, vm, new VmStatus.StateChangeRequest(VmStatus.StateChangeRequest.STOP, vmi.getMetadata().getUid()));
                } else if (VmSpec.HALTED.equals(strategy)) {
                    throw new IllegalStateException("VM " + name + " is already stopped (runStrategy Halted)");
                } else {
                    strategy(client, vm, VmSpec.HALTED);
                }
                spec.commandLine().getOut().printf("VM %s was scheduled to stop%n", name);
            }
            return 0;
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart a running VirtualMachine (a new VMI).")
    static final class Restart extends VmCommand {

        @Override
        public Integer call() throws Exception {
            try (KubernetesClient client = kube.client()) {
                String ns = kube.namespace(client);
                VirtualMachine vm = vm(client, ns, name);
                VirtualMachineInstance vmi = vmi(client, ns, name);
                if (vmi == null) {
                    throw new IllegalStateException("VM " + name + " is not running; use `ferry start " + name + "`");
                }
                request(client, vm, new VmStatus.StateChangeRequest(VmStatus.StateChangeRequest.STOP, vmi.getMetadata().getUid()),
                        new VmStatus.StateChangeRequest(VmStatus.StateChangeRequest.START, null));
                spec.commandLine().getOut().printf("VM %s was scheduled to restart%n", name);
            }
            return 0;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a running VM's vCPUs (its memory stays).")
    static final class Pause implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kube kube;
        @Parameters(index = "0", paramLabel = "KIND", description = "vm or vmi") String kind;
        @Parameters(index = "1", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            return mark(spec, kube, kind, name, true);
        }
    }

    @Command(name = "unpause", mixinStandardHelpOptions = true, description = "Unpause a paused VM.")
    static final class Unpause implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kube kube;
        @Parameters(index = "0", paramLabel = "KIND", description = "vm or vmi") String kind;
        @Parameters(index = "1", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            return mark(spec, kube, kind, name, false);
        }
    }

    private static int mark(CommandSpec spec, Kube kube, String kind, String name, boolean pause) throws IOException {
        if (!List.of("vm", "vmi", "virtualmachine", "virtualmachineinstance").contains(kind.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("give vm NAME or vmi NAME, not " + kind);
        }
        try (KubernetesClient client = kube.client()) {
            String ns = kube.namespace(client);
            VirtualMachineInstance vmi = vmi(client, ns, name);
            if (vmi == null || vmi.getStatus() == null || !VmiStatus.RUNNING.equals(vmi.getStatus().phase)) {
                throw new IllegalStateException("VMI " + name + " is not running");
            }
            client.resources(VirtualMachineInstance.class).inNamespace(ns).withName(name).edit(current -> {
                LinkedHashMap<String, String> annotations = new LinkedHashMap<>(current.getMetadata().getAnnotations() == null
                        ? java.util.Map.of() : current.getMetadata().getAnnotations());
                if (pause) {
                    annotations.put(NodeDecision.ANN_PAUSE, "true");
                } else {
                    annotations.remove(NodeDecision.ANN_PAUSE);
                }
                current.getMetadata().setAnnotations(annotations);
                return current;
            });
            spec.commandLine().getOut().printf("VMI %s was scheduled to %s%n", name, pause ? "pause" : "unpause");
        }
        return 0;
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Move a running VM live to another launcher (its volumes must be ReadWriteMany).")
    static final class Migrate extends VmCommand {
        @Option(names = "--wait", description = "wait until the migration ends and print its times") boolean wait;
        @Option(names = "--timeout", defaultValue = "300s", paramLabel = "DURATION", description = "how long --wait waits") String timeout;

        @Override
        public Integer call() throws Exception {
            try (KubernetesClient client = kube.client()) {
                String ns = kube.namespace(client);
                VirtualMachineInstance vmi = vmi(client, ns, name);
                if (vmi == null) {
                    throw new IllegalStateException("VM " + name + " is not running");
                }
                VirtualMachineInstanceMigration m = new VirtualMachineInstanceMigration();
                // as virtctl names them
                m.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withGenerateName("kubevirt-migrate-vm-")
                        .withNamespace(ns).build());
                m.setSpec(new VirtualMachineInstanceMigration.Spec());
                m.getSpec().vmiName = name;
                VirtualMachineInstanceMigration created = client.resource(m).create();
                String migration = created.getMetadata().getName();
                spec.commandLine().getOut().printf("VM %s was scheduled to migrate (virtualmachineinstancemigration %s)%n",
                        name, migration);
                spec.commandLine().getOut().flush();
                if (!wait) {
                    return 0;
                }
                // watched, not polled: every phase is printed as it comes
                String[] last = {null};
                VirtualMachineInstanceMigration end;
                try {
                    end = client.resources(VirtualMachineInstanceMigration.class).inNamespace(ns).withName(migration)
                            .waitUntilCondition(now -> {
                                String phase = now == null || now.getStatus() == null ? null : now.getStatus().phase;
                                if (phase != null && !phase.equals(last[0])) {
                                    spec.commandLine().getErr().println("vmim/" + migration + ": " + phase);
                                    last[0] = phase;
                                }
                                return VirtualMachineInstanceMigration.SUCCEEDED.equals(phase)
                                        || VirtualMachineInstanceMigration.FAILED.equals(phase);
                            }, Durations.parse("--timeout", timeout).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (io.fabric8.kubernetes.client.KubernetesClientTimeoutException e) {
                    throw new IllegalStateException("timed out after " + timeout + " waiting for migration " + migration
                            + (last[0] == null ? "" : " (last phase: " + last[0] + ")"));
                }
                if (VirtualMachineInstanceMigration.FAILED.equals(end.getStatus().phase)) {
                    String why = end.getStatus().conditions == null || end.getStatus().conditions.isEmpty() ? "no reason given"
                            : end.getStatus().conditions.get(0).message;
                    throw new IllegalStateException("migration " + migration + " failed: " + why);
                }
                // the migration carries the VMI's migrationState as it ended
                VmiStatus.MigrationState done = end.getStatus().migrationState;
                spec.commandLine().getOut().printf("migrated to %s: migration %s ms, guest paused %s ms (libvirt call %s ms)%n",
                        done.targetPod, done.totalMillis, done.downtimeMillis, done.callMillis);
                return 0;
            }
        }
    }

    @Command(name = "console", mixinStandardHelpOptions = true,
            description = "Show a VM's serial console and follow it while the guest runs (read-only).")
    static final class Console extends VmCommand {
        @Option(names = "--no-follow", description = "print what the console has shown so far, then exit") boolean noFollow;
        @Option(names = "--until", paramLabel = "TEXT", description = "exit (0) as soon as the console shows TEXT") String until;
        @Option(names = "--timeout", defaultValue = "0s", paramLabel = "DURATION",
                description = "give up (exit 1) after DURATION; 0s: never") String timeout;

        @Override
        public Integer call() throws Exception {
            java.time.Duration limit = Durations.parse("--timeout", timeout);
            Instant deadline = limit.isZero() ? Instant.MAX : Instant.now().plus(limit);
            PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
            StringBuilder seen = new StringBuilder();
            long offset = 0;
            String launcherPod = null;
            try (KubernetesClient client = kube.client()) {
                String ns = kube.namespace(client);
                while (Instant.now().isBefore(deadline)) {
                    VirtualMachineInstance vmi = vmi(client, ns, name);
                    String pod = vmi == null || vmi.getStatus() == null ? null : vmi.getStatus().launcherPod;
                    if (pod != null && !pod.equals(launcherPod)) {
                        launcherPod = pod;
                        offset = 0;
                    }
                    LauncherClient launcher = pod == null ? null : LauncherAddress.client(client.pods().inNamespace(ns).withName(pod).get());
                    boolean more = false;
                    if (launcher != null) {
                        try {
                            LauncherClient.ConsoleChunk chunk = launcher.console(offset);
                            out.write(chunk.bytes());
                            out.flush();
                            offset = chunk.next();
                            more = chunk.bytes().length > 0;
                            if (until != null) {
                                seen.append(new String(chunk.bytes(), StandardCharsets.UTF_8));
                                if (seen.indexOf(until) >= 0) {
                                    return 0;
                                }
                                if (seen.length() > 2 * until.length() + 65536) {
                                    seen.delete(0, seen.length() - until.length());
                                }
                            }
                        } catch (IOException e) {
                            // the launcher is starting or gone: look again
                        }
                    } else if (vmi == null && noFollow) {
                        throw new IllegalStateException("VMI " + name + " does not exist (is the VM running?)");
                    }
                    if (noFollow && !more) {
                        return 0;
                    }
                    if (!more) {
                        Thread.sleep(200);
                    }
                }
            }
            spec.commandLine().getErr().println("ferry: console: timed out after " + timeout
                    + (until == null ? "" : " waiting for \"" + until + "\""));
            return 1;
        }
    }
}
