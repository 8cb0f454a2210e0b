package dev.ferry.controllers.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmSpec;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.controllers.vm.RunStrategy;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The VirtualMachine reconciler (KubeVirt's virt-controller VM half): creates the VM's
 * DataVolumes from its templates, then creates, restarts or deletes its VMI as the run strategy
 * and the pending start/stop requests say, with KubeVirt's start-failure back-off, and reports
 * {@code printableStatus}, {@code created} and {@code ready}.
 *
 * <ul>
 *   <li>Always: a VMI always exists; one that ended is replaced (after the back-off if it failed).
 *   <li>RerunOnFailure: a failed VMI is replaced; one that succeeded (the guest powered off) stays.
 *   <li>Once: one VMI; when it ends the strategy becomes Halted.
 *   <li>Manual: only start/stop requests ({@code ferry start|stop|restart}) create or delete the VMI.
 *   <li>Halted: no VMI.
 * </ul>
 */
public final class VmReconciler {
    public static final String FINALIZER = "kubevirt.io/virtualMachineControllerFinalize";
    private static final Logger LOG = Logger.getLogger(VmReconciler.class.getName());

    private final KubernetesClient client;
    private final Clock clock;

    public VmReconciler(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public Duration reconcile(String namespace, String name) {
        VirtualMachine vm = client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).get();
        if (vm == null) {
            return null;
        }
        VirtualMachineInstance vmi = client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(name).get();
        if (vmi != null && !ownedBy(vmi.getMetadata(), vm)) {
            status(vm, vmi, s -> s.printableStatus = "Stopped", null, "VMIExists",
                    "a VirtualMachineInstance " + name + " not created by this VM exists; delete it first");
            return null;
        }
        if (vm.getMetadata().getDeletionTimestamp() != null) {
            return terminate(vm, vmi);
        }
        if (!vm.getMetadata().getFinalizers().contains(FINALIZER)) {
            vm = client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).edit(current -> {
                current.getMetadata().getFinalizers().add(FINALIZER);
                return current;
            });
        }
        String strategy;
        try {
            strategy = RunStrategy.of(vm.getSpec());
        } catch (IllegalArgumentException e) {
            status(vm, vmi, s -> s.printableStatus = "Stopped", null, "InvalidRunStrategy", e.getMessage());
            return null;
        }
        String volumes = dataVolumes(vm);
        Instant now = clock.instant();
        List<VmStatus.StateChangeRequest> requests = vm.getStatus() == null || vm.getStatus().stateChangeRequests == null
                ? List.of() : vm.getStatus().stateChangeRequests;
        VmStatus.StateChangeRequest request = requests.isEmpty() ? null : requests.get(0);
        String phase = vmi == null || vmi.getStatus() == null ? null : vmi.getStatus().phase;
        boolean ended = VmiStatus.SUCCEEDED.equals(phase) || VmiStatus.FAILED.equals(phase);
        boolean deleting = vmi != null && vmi.getMetadata().getDeletionTimestamp() != null;
        VmStatus.StartFailure failure = vm.getStatus() == null ? null : vm.getStatus().startFailure;

        // a Stop request: delete the VMI it names, then drop the request
        if (request != null && VmStatus.StateChangeRequest.STOP.equals(request.action)) {
            if (vmi != null && (request.uid == null || request.uid.equals(vmi.getMetadata().getUid()))) {
                deleteVmi(vmi, deleting, "stop requested");
                status(vm, vmi, s -> s.printableStatus = "Stopping", strategy, null, null);
                return Duration.ofSeconds(1);
            }
            dropRequest(vm);
            return Duration.ZERO;
        }
        boolean startRequested = request != null && VmStatus.StateChangeRequest.START.equals(request.action);
        if (VmSpec.ONCE.equals(strategy) && ended) {
            client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).edit(current -> {
                current.getSpec().runStrategy = VmSpec.HALTED;
                current.getSpec().running = null;
                return current;
            });
            return Duration.ZERO;
        }
        boolean want = switch (strategy) {
            case VmSpec.ALWAYS, VmSpec.ONCE -> true;
            case VmSpec.RERUN_ON_FAILURE -> startRequested || !VmiStatus.SUCCEEDED.equals(phase);
            case VmSpec.MANUAL -> startRequested || (vmi != null && !ended);
            default -> false;
        };
        if (startRequested && VmSpec.HALTED.equals(strategy)) {
            want = false;
        }
        if (!want) {
            if (vmi != null && !ended) {
                deleteVmi(vmi, deleting, strategy);
                status(vm, vmi, s -> s.printableStatus = "Stopping", strategy, null, null);
                return Duration.ofSeconds(1);
            }
            if (startRequested) {
                dropRequest(vm);
            }
            status(vm, vmi, s -> {
                s.printableStatus = "Stopped";
                s.startFailure = null;
            }, strategy, null, null);
            return null;
        }
        if (volumes != null) {
            String printable = volumes.startsWith("Failed") ? "DataVolumeError"
                    : volumes.startsWith("WaitForFirstConsumer") ? "WaitingForVolumeBinding" : "Provisioning";
            status(vm, vmi, s -> s.printableStatus = printable, strategy, null, null);
            return null;
        }
        if (vmi != null && ended) {
            if (deleting) {
                return Duration.ofSeconds(1);
            }
            if (VmiStatus.FAILED.equals(phase) && (failure == null || !vmi.getMetadata().getUid().equals(failure.lastFailedVMIUID))) {
                int retries = (failure == null || failure.retries == null ? 0 : failure.retries) + 1;
                VmStatus.StartFailure next = new VmStatus.StartFailure();
                next.retries = retries;
                next.lastFailedVMIUID = vmi.getMetadata().getUid();
                next.retryAfterTimestamp = now.plus(RunStrategy.backoff(retries)).toString();
                status(vm, vmi, s -> {
                    s.startFailure = next;
                    s.printableStatus = "CrashLoopBackOff";
                }, strategy, null, null);
                LOG.info(() -> namespace + "/" + name + ": VMI failed (" + vmi.getStatus().reason + "), start failure "
                        + retries + ", next start after " + RunStrategy.backoff(retries).toSeconds() + " s");
            }
            deleteVmi(vmi, false, "VMI " + phase.toLowerCase(java.util.Locale.ROOT) + ", restarting");
            return Duration.ofSeconds(1);
        }
        if (vmi == null) {
            if (failure != null && failure.retryAfterTimestamp != null) {
                Instant after = Instant.parse(failure.retryAfterTimestamp);
                if (now.isBefore(after)) {
                    status(vm, vmi, s -> s.printableStatus = "CrashLoopBackOff", strategy, null, null);
                    return Duration.between(now, after).plusMillis(50);
                }
            }
            VirtualMachineInstance created = createVmi(vm);
            if (startRequested) {
                dropRequest(vm);
            }
            status(vm, created, s -> s.printableStatus = "Starting", strategy, null, null);
            return null;
        }
        if (startRequested) {
            dropRequest(vm);
        }
        status(vm, vmi, s -> {
            s.printableStatus = printable(vmi);
            if (VmiStatus.RUNNING.equals(phase)) {
                s.startFailure = null;
            }
        }, strategy, null, null);
        return null;
    }

    private static String printable(VirtualMachineInstance vmi) {
        if (vmi.getMetadata().getDeletionTimestamp() != null) {
            return "Stopping";
        }
        VmiStatus status = vmi.getStatus();
        String phase = status == null || status.phase == null ? VmiStatus.PENDING : status.phase;
        if (!VmiStatus.RUNNING.equals(phase)) {
            return "Starting";
        }
        if (status.migrationState != null && !Boolean.TRUE.equals(status.migrationState.completed)
                && !Boolean.TRUE.equals(status.migrationState.failed)) {
            return "Migrating";
        }
        return condition(status, "Paused") ? "Paused" : "Running";
    }

    private static boolean condition(VmiStatus status, String type) {
        return status != null && status.conditions != null
                && status.conditions.stream().anyMatch(c -> type.equals(c.type) && "True".equals(c.status));
    }

    /** Creates missing DataVolumes; returns null when all succeeded, else the first one's phase and name. */
    private String dataVolumes(VirtualMachine vm) {
        String namespace = vm.getMetadata().getNamespace();
        String waiting = null;
        for (VmSpec.DataVolumeTemplate template : vm.getSpec().dataVolumeTemplates == null
                ? List.<VmSpec.DataVolumeTemplate>of() : vm.getSpec().dataVolumeTemplates) {
            String dvName = template.metadata.getName();
            DataVolume dv = client.resources(DataVolume.class).inNamespace(namespace).withName(dvName).get();
            if (dv == null) {
                dv = new DataVolume();
                dv.setMetadata(new ObjectMetaBuilder().withName(dvName).withNamespace(namespace)
                        .withLabels(template.metadata.getLabels()).withAnnotations(template.metadata.getAnnotations())
                        .withOwnerReferences(owner(vm)).build());
                dv.setSpec(template.spec);
                client.resource(dv).create();
                LOG.info(() -> namespace + "/" + vm.getMetadata().getName() + ": created DataVolume " + dvName);
                waiting = waiting == null ? Phases.PENDING + " " + dvName : waiting;
                continue;
            }
            String dvPhase = dv.getStatus() == null || dv.getStatus().phase == null ? Phases.PENDING : dv.getStatus().phase;
            if (Phases.FAILED.equals(dvPhase)) {
                return dvPhase + " " + dvName;
            }
            if (!Phases.SUCCEEDED.equals(dvPhase) && waiting == null) {
                waiting = dvPhase + " " + dvName;
            }
        }
        return waiting;
    }

    private VirtualMachineInstance createVmi(VirtualMachine vm) {
        VirtualMachineInstance vmi = new VirtualMachineInstance();
        ObjectMeta template = vm.getSpec().template.metadata;
        vmi.setMetadata(new ObjectMetaBuilder().withName(vm.getMetadata().getName()).withNamespace(vm.getMetadata().getNamespace())
                .withLabels(template == null ? null : template.getLabels())
                .withAnnotations(template == null ? null : template.getAnnotations())
                .withOwnerReferences(owner(vm)).build());
        vmi.setSpec(vm.getSpec().template.spec);
        VirtualMachineInstance created = client.resource(vmi).create();
        LOG.info(() -> vm.getMetadata().getNamespace() + "/" + vm.getMetadata().getName() + ": VMI created (uid "
                + created.getMetadata().getUid() + ")");
        return created;
    }

    private void deleteVmi(VirtualMachineInstance vmi, boolean deleting, String why) {
        if (!deleting) {
            client.resource(vmi).delete();
            LOG.info(() -> vmi.getMetadata().getNamespace() + "/" + vmi.getMetadata().getName() + ": VMI deleted (" + why + ")");
        }
    }

    private void dropRequest(VirtualMachine vm) {
        client.resources(VirtualMachine.class).inNamespace(vm.getMetadata().getNamespace()).withName(vm.getMetadata().getName())
                .editStatus(current -> {
                    if (current.getStatus() != null && current.getStatus().stateChangeRequests != null
                            && !current.getStatus().stateChangeRequests.isEmpty()) {
                        List<VmStatus.StateChangeRequest> rest = new ArrayList<>(current.getStatus().stateChangeRequests);
                        rest.remove(0);
                        current.getStatus().stateChangeRequests = rest.isEmpty() ? null : rest;
                    }
                    return current;
                });
    }

    /** Deleting the VM: its VMI first, then its DataVolumes (no garbage collector runs on the mock server). */
    private Duration terminate(VirtualMachine vm, VirtualMachineInstance vmi) {
        if (vmi != null) {
            deleteVmi(vmi, vmi.getMetadata().getDeletionTimestamp() != null, "VM deleted");
            status(vm, vmi, s -> s.printableStatus = "Terminating", null, null, null);
            return Duration.ofSeconds(1);
        }
        for (VmSpec.DataVolumeTemplate template : vm.getSpec().dataVolumeTemplates == null
                ? List.<VmSpec.DataVolumeTemplate>of() : vm.getSpec().dataVolumeTemplates) {
            DataVolume dv = client.resources(DataVolume.class).inNamespace(vm.getMetadata().getNamespace())
                    .withName(template.metadata.getName()).get();
            if (dv != null && ownedBy(dv.getMetadata(), vm)) {
                client.resource(dv).delete();
            }
        }
        if (vm.getMetadata().getFinalizers().contains(FINALIZER)) {
            client.resources(VirtualMachine.class).inNamespace(vm.getMetadata().getNamespace()).withName(vm.getMetadata().getName())
                    .edit(current -> {
                        current.getMetadata().getFinalizers().remove(FINALIZER);
                        return current;
                    });
        }
        return null;
    }

    private static boolean ownedBy(ObjectMeta meta, VirtualMachine vm) {
        return meta.getOwnerReferences() != null && meta.getOwnerReferences().stream()
                .anyMatch(o -> vm.getMetadata().getUid().equals(o.getUid()));
    }

    private static OwnerReference owner(VirtualMachine vm) {
        return new OwnerReferenceBuilder().withApiVersion("kubevirt.io/v1").withKind("VirtualMachine")
                .withName(vm.getMetadata().getName()).withUid(vm.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    /**
     * Updates the status when something changed: printableStatus, created and ready (from
     * {@code vmi}, the VM's VMI as this reconcile left it, or null), conditions (Failure for a bad spec).
     */
    private void status(VirtualMachine vm, VirtualMachineInstance vmi, java.util.function.Consumer<VmStatus> change,
            String strategy, String failureReason, String failureMessage) {
        String namespace = vm.getMetadata().getNamespace();
        String name = vm.getMetadata().getName();
        VmStatus wanted = copy(vm.getStatus());
        change.accept(wanted);
        wanted.runStrategy = strategy;
        wanted.created = vmi != null;
        wanted.ready = vmi != null && vmi.getStatus() != null && VmiStatus.RUNNING.equals(vmi.getStatus().phase)
                && condition(vmi.getStatus(), "Ready");
        List<VmiStatus.Condition> conditions = new ArrayList<>();
        conditions.add(new VmiStatus.Condition("Ready", wanted.ready ? "True" : "False", null, null));
        if (vmi != null && condition(vmi.getStatus(), "Paused")) {
            conditions.add(new VmiStatus.Condition("Paused", "True", "PausedByUser", "the VMI is paused"));
        }
        if (failureReason != null) {
            conditions.add(new VmiStatus.Condition("Failure", "True", failureReason, failureMessage));
        }
        wanted.conditions = conditions;
        if (same(vm.getStatus(), wanted)) {
            return;
        }
        String now = clock.instant().toString();
        client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).editStatus(current -> {
            VmStatus before = current.getStatus();
            for (VmiStatus.Condition c : wanted.conditions) {
                VmiStatus.Condition old = before == null || before.conditions == null ? null
                        : before.conditions.stream().filter(x -> c.type.equals(x.type)).findFirst().orElse(null);
                c.lastTransitionTime = old != null && c.status.equals(old.status) && old.lastTransitionTime != null
                        ? old.lastTransitionTime : now;
            }
            // requests added since this reconcile read the VM stay
            wanted.stateChangeRequests = before == null ? null : before.stateChangeRequests;
            current.setStatus(wanted);
            return current;
        });
    }

    private static VmStatus copy(VmStatus status) {
        VmStatus copy = new VmStatus();
        if (status != null) {
            copy.printableStatus = status.printableStatus;
            copy.startFailure = status.startFailure;
            copy.stateChangeRequests = status.stateChangeRequests;
            copy.conditions = status.conditions;
        }
        return copy;
    }

    private static boolean same(VmStatus before, VmStatus after) {
        if (before == null) {
            return false;
        }
        LinkedHashMap<String, String> a = new LinkedHashMap<>();
        LinkedHashMap<String, String> b = new LinkedHashMap<>();
        for (VmiStatus.Condition c : before.conditions == null ? List.<VmiStatus.Condition>of() : before.conditions) {
            a.put(c.type, c.status + "/" + c.reason + "/" + c.message);
        }
        for (VmiStatus.Condition c : after.conditions) {
            b.put(c.type, c.status + "/" + c.reason + "/" + c.message);
        }
        return Objects.equals(before.printableStatus, after.printableStatus) && Objects.equals(before.created, after.created)
                && Objects.equals(before.ready, after.ready) && Objects.equals(before.runStrategy, after.runStrategy)
                && Objects.equals(a, b) && Objects.equals(retries(before), retries(after))
                && Objects.equals(before.startFailure == null ? null : before.startFailure.lastFailedVMIUID,
                        after.startFailure == null ? null : after.startFailure.lastFailedVMIUID);
    }

    private static Integer retries(VmStatus status) {
        return status.startFailure == null ? null : status.startFailure.retries;
    }
}
