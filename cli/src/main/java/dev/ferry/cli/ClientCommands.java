package dev.ferry.cli;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry apply/get/delete/wait/logs}: a small kubectl for local mode and for real clusters alike. */
final class ClientCommands {
    private ClientCommands() {
    }

    /** One object, namespaced or cluster-scoped as its kind is. */
    static <T extends HasMetadata> Resource<T> one(KubernetesClient client, Class<T> type, String namespace, String name) {
        return Kinds.clusterScoped(type) ? client.resources(type).withName(name)
                : client.resources(type).inNamespace(namespace).withName(name);
    }

    @Command(name = "apply", mixinStandardHelpOptions = true, description = "Create or update the objects in a YAML file (- for stdin).")
    static final class Apply implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kube kube;
        @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE") String file;

        @Override
        public Integer call() throws Exception {
            try (KubernetesClient client = kube.client(); InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
                for (HasMetadata object : parse(in)) {
                    if (object.getMetadata().getNamespace() == null && !Kinds.clusterScoped(object.getClass())) {
                        object.getMetadata().setNamespace(kube.namespace(client));
                    }
                    boolean existed;
                    try {
                        existed = client.resource(object).get() != null;
                    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                        if (object instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource) {
                            throw new IllegalArgumentException(object.getApiVersion() + " " + object.getKind() + " (" + object.getMetadata()
                                    .getName() + ") is not served here; served: " + Kinds.served(), e);
                        }
                        throw e;
                    }
                    client.resource(object).createOr(NonDeletingOperation::update);
                    spec.commandLine().getOut().printf("%s/%s %s%n", object.getKind().toLowerCase(java.util.Locale.ROOT),
                            object.getMetadata().getName(), existed ? "configured" : "created");
                }
            }
            return 0;
        }

        private static List<HasMetadata> parse(InputStream in) throws IOException {
            Object parsed = Serialization.unmarshal(in);
            List<HasMetadata> objects = new ArrayList<>();
            if (parsed instanceof List<?> list) {
                list.forEach(o -> objects.add(typed((HasMetadata) o)));
            } else if (parsed instanceof HasMetadata one) {
                objects.add(typed(one));
            }
            if (objects.isEmpty()) {
                throw new IllegalArgumentException("no Kubernetes objects in the input");
            }
            return objects;
        }

        /** CDI's and KubeVirt's kinds as Ferry's types (their YAML unchanged); everything else as fabric8 reads it. */
        private static HasMetadata typed(HasMetadata object) {
            Class<? extends HasMetadata> type = switch (object.getKind() == null ? "" : object.getKind()) {
                case "DataVolume" -> DataVolume.class;
                case "VirtualMachine" -> dev.ferry.api.kubevirt.v1.VirtualMachine.class;
                case "VirtualMachineInstance" -> dev.ferry.api.kubevirt.v1.VirtualMachineInstance.class;
                case "VirtualMachineInstanceMigration" -> dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration.class;
                default -> null;
            };
            if (type != null && !type.isInstance(object)) {
                return Serialization.unmarshal(Serialization.asJson(object), type);
            }
            return object;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "List objects of a kind (dv, vm, vmi, vmim, pvc, pod, pv, …; several as vm,vmi,vmim) or show one.")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kube kube;
        @Parameters(index = "0", paramLabel = "KIND") String kind;
        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME") String name;
        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "yaml, json or (default) a table") String output;
        @Option(names = {"-l", "--selector"}, paramLabel = "KEY=VALUE[,KEY=VALUE]", description = "only objects with these labels")
        String selector;

        @Override
        public Integer call() throws Exception {
            String[] kinds = kind.split(",");
            if (kinds.length > 1 && name != null) {
                throw new IllegalArgumentException("name one kind with a NAME, not " + kind);
            }
            PrintWriter out = spec.commandLine().getOut();
            try (KubernetesClient client = kube.client()) {
                for (int i = 0; i < kinds.length; i++) {
                    Class<? extends HasMetadata> type = Kinds.of(kinds[i]);
                    List<? extends HasMetadata> items = list(client, type, name);
                    if ("yaml".equals(output)) {
                        out.print(Serialization.asYaml(name != null ? items.get(0) : items));
                    } else if ("json".equals(output)) {
                        out.println(Serialization.asJson(name != null ? items.get(0) : items));
                    } else {
                        if (kinds.length > 1) {
                            // as kubectl get a,b: each kind's table after its name, a blank line between
                            out.print(i == 0 ? "" : System.lineSeparator());
                            out.println("# " + kinds[i]);
                        }
                        Table.print(out, items);
                    }
                }
                out.flush();
            }
            return 0;
        }

        private List<? extends HasMetadata> list(KubernetesClient client, Class<? extends HasMetadata> type, String one) {
            if (one != null) {
                HasMetadata item = one(client, type, kube.namespace(client), one).get();
                if (item == null) {
                    throw new IllegalArgumentException(kind + " \"" + one + "\" not found");
                }
                return List.of(item);
            }
            java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
            if (selector != null) {
                for (String pair : selector.split(",")) {
                    String[] kv = pair.split("=", 2);
                    if (kv.length != 2 || kv[0].isBlank()) {
                        throw new IllegalArgumentException("-l takes KEY=VALUE pairs separated by commas, not " + selector);
                    }
                    labels.put(kv[0].trim(), kv[1].trim());
                }
            }
            return Kinds.clusterScoped(type) ? client.resources(type).withLabels(labels).list().getItems()
                    : client.resources(type).inNamespace(kube.namespace(client)).withLabels(labels).list().getItems();
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an object (a DataVolume also stops its worker and frees its volume).")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kube kube;
        @Parameters(index = "0", paramLabel = "KIND") String kind;
        @Parameters(index = "1", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            Class<? extends HasMetadata> type = Kinds.of(kind);
            try (KubernetesClient client = kube.client()) {
                var deleted = one(client, type, kube.namespace(client), name).delete();
                if (deleted.isEmpty()) {
                    throw new IllegalArgumentException(kind + " \"" + name + "\" not found");
                }
                spec.commandLine().getOut().printf("%s \"%s\" deleted%n", kind, name);
            }
            return 0;
        }
    }

    @Command(name = "wait", mixinStandardHelpOptions = true,
            description = "Wait for an object's status.phase (--for=phase=Succeeded) or to be deleted (--for=delete), showing progress.")
    static final class Wait implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kube kube;
        @Parameters(index = "0", paramLabel = "KIND/NAME") String target;
        @Option(names = "--for", required = true, paramLabel = "phase=PHASE|delete") String condition;
        @Option(names = "--timeout", defaultValue = "300s", paramLabel = "DURATION") String timeout;

        @Override
        public Integer call() throws Exception {
            String[] parts = target.split("/", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("give KIND/NAME, e.g. dv/fedora");
            }
            Class<? extends HasMetadata> type = Kinds.of(parts[0]);
            String wanted = condition.startsWith("phase=") ? condition.substring(6) : null;
            if (wanted == null && !condition.equals("delete")) {
                throw new IllegalArgumentException("--for takes phase=PHASE or delete, not " + condition);
            }
            Instant deadline = Instant.now().plus(Durations.parse("--timeout", timeout));
            String last = null;
            try (KubernetesClient client = kube.client()) {
                String ns = kube.namespace(client);
                while (Instant.now().isBefore(deadline)) {
                    HasMetadata item = one(client, type, ns, parts[1]).get();
                    if (wanted == null && item == null) {
                        spec.commandLine().getOut().printf("%s deleted%n", target);
                        return 0;
                    }
                    String phase = item == null ? null : Table.phase(item);
                    String line = target + ": " + (item == null ? "not found" : Table.describe(item));
                    if (!Objects.equals(line, last)) {
                        spec.commandLine().getErr().println(line);
                        last = line;
                    }
                    if (wanted != null && wanted.equals(phase)) {
                        return 0;
                    }
                    if (wanted != null && "Failed".equals(phase) && !"Failed".equals(wanted)) {
                        throw new IllegalStateException(target + " failed: " + Table.readyMessage(item));
                    }
                    Thread.sleep(500);
                }
            }
            throw new IllegalStateException("timed out after " + timeout + " waiting for " + target + " " + condition
                    + (last == null ? "" : " (last: " + last + ")"));
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a Pod's log (local mode: the worker process's output).")
    static final class Logs implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kube kube;
        @Parameters(index = "0", paramLabel = "POD") String pod;

        @Override
        public Integer call() throws Exception {
            try (KubernetesClient client = kube.client()) {
                String ns = kube.namespace(client);
                Path root = kube.localRoot();
                if (root != null) {
                    Path log = root.resolve("logs").resolve(ns).resolve(pod + ".log");
                    if (!Files.exists(log)) {
                        throw new IllegalArgumentException("no log for pod " + ns + "/" + pod + " (" + log + ")");
                    }
                    spec.commandLine().getOut().print(Files.readString(log));
                } else {
                    Pod found = client.pods().inNamespace(ns).withName(pod).get();
                    if (found == null) {
                        throw new IllegalArgumentException("pod \"" + pod + "\" not found");
                    }
                    spec.commandLine().getOut().print(client.pods().inNamespace(ns).withName(pod).getLog());
                }
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }
}
