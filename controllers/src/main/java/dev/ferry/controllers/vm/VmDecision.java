package dev.ferry.controllers.vm;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VmSpec;
import dev.ferry.api.kubevirt.v1.VmStatus;
import dev.ferry.api.kubevirt.v1.VmiStatus;
import dev.ferry.worker.launcher.BackupHooks;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The VirtualMachine reconciler's decision (KubeVirt's virt-controller VM half), a pure function of
 * the VM, its VMI and its DataVolumes: create the DataVolumes of its templates, then create,
 * restart or delete its VMI as the run strategy and the pending start/stop requests say, with
 * KubeVirt's start-failure back-off, and report {@code printableStatus}, {@code created}, {@code ready}.
 *
 * <ul>
 *   <li>Always: a VMI always exists; one that ended is replaced (after the back-off if it failed).
 *   <li>RerunOnFailure: a failed VMI is replaced; one that succeeded (the guest powered off) stays.
 *   <li>Once: one VMI; when it ends the strategy becomes Halted.
 *   <li>Manual: only start/stop requests ({@code ferry start|stop|restart}) create or delete the VMI.
 *   <li>Halted: no VMI.
 * </ul>
 */
public final class VmDecision {
    public static final String FINALIZER = "kubevirt.io/virtualMachineControllerFinalize";
    static final Duration SOON = Duration.ofSeconds(1);
    /** On a VM (kubevirt-velero-plugin's restore label; without the plugin, a Velero resource modifier adds it): new MACs. */
    public static final String CLEAR_MAC_ADDRESS = "velero.kubevirt.io/clear-mac-address";
    /** On a VM, as above: a new firmware UUID. */
    public static final String NEW_FIRMWARE_UUID = "velero.kubevirt.io/generate-new-firmware-uuid";

    private VmDecision() {
    }

    public static VmPlan decide(VmObserved o) {
        VirtualMachine vm = o.vm();
        VirtualMachineInstance vmi = o.vmi();
        VmPlan.Builder plan = new VmPlan.Builder();
        if (vmi != null && !ownedBy(vmi.getMetadata(), vm)) {
            return plan.status(VmStatuses.of(vm, vmi, "Stopped", null, "VMIExists", "a VirtualMachineInstance "
                    + vm.getMetadata().getName() + " not created by this VM exists; delete it first")).done(null);
        }
        if (vm.getMetadata().getDeletionTimestamp() != null) {
            return terminate(o, plan);
        }
        plan.addFinalizer(!vm.getMetadata().getFinalizers().contains(FINALIZER));
        VmPlan.Renewal renewal = renewal(vm);
        if (renewal != null) {
            // the new identity first: the VMI must start with it
            return plan.renew(renewal).done(Duration.ZERO);
        }
        String strategy;
        try {
            strategy = RunStrategy.of(vm.getSpec());
        } catch (IllegalArgumentException e) {
            return plan.status(VmStatuses.of(vm, vmi, "Stopped", null, "InvalidRunStrategy", e.getMessage())).done(null);
        }
        String volumes = dataVolumes(o, plan);
        VmStatus.StateChangeRequest request = firstRequest(vm);
        if (request != null && VmStatus.StateChangeRequest.STOP.equals(request.action)) {
            return stopRequested(o, plan, request, strategy);
        }
        boolean startRequested = request != null && VmStatus.StateChangeRequest.START.equals(request.action);
        String phase = vmi == null || vmi.getStatus() == null ? null : vmi.getStatus().phase;
        boolean ended = VmiStatus.SUCCEEDED.equals(phase) || VmiStatus.FAILED.equals(phase);
        if (VmSpec.ONCE.equals(strategy) && ended) {
            return plan.halt().done(Duration.ZERO);
        }
        if (!wanted(strategy, startRequested, vmi, phase, ended)) {
            return stopped(o, plan, strategy, startRequested, ended);
        }
        if (volumes != null) {
            String printable = volumes.startsWith(Phases.FAILED) ? "DataVolumeError"
                    : volumes.startsWith(Phases.WAIT_FOR_FIRST_CONSUMER) ? "WaitingForVolumeBinding" : "Provisioning";
            return plan.status(VmStatuses.of(vm, vmi, printable, strategy, null, null)).done(null);
        }
        if (vmi != null && ended) {
            return restart(o, plan, strategy, phase);
        }
        if (vmi == null && restoring(vm) != null) {
            // KubeVirt starts no VMI while a restore rewrites the VM; the request waits for it
            return plan.status(VmStatuses.of(vm, null, "Stopped", strategy, null, null)).done(null);
        }
        plan.dropRequest(startRequested);
        if (vmi == null) {
            return start(o, plan, strategy);
        }
        VmStatus status = VmStatuses.of(vm, vmi, printable(vmi), strategy, null, null);
        if (VmiStatus.RUNNING.equals(phase)) {
            status.startFailure = null;
        }
        return plan.status(status).done(null);
    }

    /** Whether the strategy (and a start request) wants a VMI now. */
    static boolean wanted(String strategy, boolean startRequested, VirtualMachineInstance vmi, String phase, boolean ended) {
        return switch (strategy) {
            case VmSpec.ALWAYS, VmSpec.ONCE -> true;
            case VmSpec.RERUN_ON_FAILURE -> startRequested || !VmiStatus.SUCCEEDED.equals(phase);
            case VmSpec.MANUAL -> startRequested || (vmi != null && !ended);
            default -> false;
        };
    }

    /** A Stop request: delete the VMI it names (an older one's request is just dropped). */
    private static VmPlan stopRequested(VmObserved o, VmPlan.Builder plan, VmStatus.StateChangeRequest request, String strategy) {
        VirtualMachineInstance vmi = o.vmi();
        if (vmi != null && (request.uid == null || request.uid.equals(vmi.getMetadata().getUid()))) {
            return plan.deleteVmi(!deleting(vmi)).status(VmStatuses.of(o.vm(), vmi, "Stopping", strategy, null, null)).done(SOON);
        }
        return plan.dropRequest(true).done(Duration.ZERO);
    }

    private static VmPlan stopped(VmObserved o, VmPlan.Builder plan, String strategy, boolean startRequested, boolean ended) {
        VirtualMachineInstance vmi = o.vmi();
        if (vmi != null && !ended) {
            return plan.deleteVmi(!deleting(vmi)).status(VmStatuses.of(o.vm(), vmi, "Stopping", strategy, null, null)).done(SOON);
        }
        VmStatus status = VmStatuses.of(o.vm(), vmi, "Stopped", strategy, null, null);
        status.startFailure = null;
        return plan.dropRequest(startRequested).status(status).done(null);
    }

    /** An ended VMI goes; a failure counts towards the back-off once (by the failed VMI's uid). */
    private static VmPlan restart(VmObserved o, VmPlan.Builder plan, String strategy, String phase) {
        VirtualMachineInstance vmi = o.vmi();
        if (deleting(vmi)) {
            return plan.done(SOON);
        }
        VmStatus.StartFailure failure = o.vm().getStatus() == null ? null : o.vm().getStatus().startFailure;
        if (VmiStatus.FAILED.equals(phase) && (failure == null || !vmi.getMetadata().getUid().equals(failure.lastFailedVMIUID))) {
            VmStatus.StartFailure next = new VmStatus.StartFailure();
            next.retries = (failure == null || failure.retries == null ? 0 : failure.retries) + 1;
            next.lastFailedVMIUID = vmi.getMetadata().getUid();
            next.retryAfterTimestamp = o.now().plus(RunStrategy.backoff(next.retries)).toString();
            VmStatus status = VmStatuses.of(o.vm(), vmi, "CrashLoopBackOff", strategy, null, null);
            status.startFailure = next;
            plan.status(status);
        }
        return plan.deleteVmi(true).done(SOON);
    }

    /** No VMI: start one, unless the start-failure back-off still runs. */
    private static VmPlan start(VmObserved o, VmPlan.Builder plan, String strategy) {
        VmStatus.StartFailure failure = o.vm().getStatus() == null ? null : o.vm().getStatus().startFailure;
        if (failure != null && failure.retryAfterTimestamp != null) {
            Instant after = Instant.parse(failure.retryAfterTimestamp);
            if (o.now().isBefore(after)) {
                return plan.dropRequest(false).status(VmStatuses.of(o.vm(), null, "CrashLoopBackOff", strategy, null, null))
                        .done(Duration.between(o.now(), after).plusMillis(50));
            }
        }
        VirtualMachineInstance created = vmi(o.vm());
        return plan.createVmi(created).status(VmStatuses.of(o.vm(), created, "Starting", strategy, null, null)).done(null);
    }

    /** Deleting the VM: its VMI first, then its own DataVolumes (no garbage collector runs on the mock server). */
    private static VmPlan terminate(VmObserved o, VmPlan.Builder plan) {
        if (o.vmi() != null) {
            return plan.deleteVmi(!deleting(o.vmi())).status(VmStatuses.of(o.vm(), o.vmi(), "Terminating", null, null, null))
                    .done(SOON);
        }
        o.dataVolumes().values().stream().filter(dv -> ownedBy(dv.getMetadata(), o.vm())).forEach(plan::deleteDataVolume);
        return plan.removeFinalizer(o.vm().getMetadata().getFinalizers().contains(FINALIZER)).done(null);
    }

    /** Creates missing DataVolumes; returns null when all succeeded, else the first one's phase and name. */
    private static String dataVolumes(VmObserved o, VmPlan.Builder plan) {
        String waiting = null;
        for (VmSpec.DataVolumeTemplate template : templates(o.vm())) {
            String name = template.metadata.getName();
            DataVolume dv = o.dataVolumes().get(name);
            if (dv == null) {
                plan.createDataVolume(dataVolume(o.vm(), template));
                waiting = waiting == null ? Phases.PENDING + " " + name : waiting;
                continue;
            }
            String phase = dv.getStatus() == null || dv.getStatus().phase == null ? Phases.PENDING : dv.getStatus().phase;
            if (Phases.FAILED.equals(phase)) {
                return phase + " " + name;
            }
            if (!Phases.SUCCEEDED.equals(phase) && waiting == null) {
                waiting = phase + " " + name;
            }
        }
        return waiting;
    }

    public static List<VmSpec.DataVolumeTemplate> templates(VirtualMachine vm) {
        return vm.getSpec().dataVolumeTemplates == null ? List.of() : vm.getSpec().dataVolumeTemplates;
    }

    private static DataVolume dataVolume(VirtualMachine vm, VmSpec.DataVolumeTemplate template) {
        DataVolume dv = new DataVolume();
        dv.setMetadata(new ObjectMetaBuilder().withName(template.metadata.getName()).withNamespace(vm.getMetadata().getNamespace())
                .withLabels(template.metadata.getLabels()).withAnnotations(template.metadata.getAnnotations())
                .withOwnerReferences(owner(vm)).build());
        dv.setSpec(template.spec);
        return dv;
    }

    /** What a restored VM's labels ask to renew, or null. The new firmware UUID is derived from the VM's uid: the same on every pass. */
    static VmPlan.Renewal renewal(VirtualMachine vm) {
        Map<String, String> labels = vm.getMetadata().getLabels() == null ? Map.of() : vm.getMetadata().getLabels();
        boolean macs = labels.containsKey(CLEAR_MAC_ADDRESS);
        boolean uuid = labels.containsKey(NEW_FIRMWARE_UUID);
        if (!macs && !uuid) {
            return null;
        }
        String seed = vm.getMetadata().getUid() != null ? vm.getMetadata().getUid()
                : vm.getMetadata().getNamespace() + "/" + vm.getMetadata().getName();
        return new VmPlan.Renewal(macs, uuid ? java.util.UUID.nameUUIDFromBytes(("firmware:" + seed)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString() : null);
    }

    private static VirtualMachineInstance vmi(VirtualMachine vm) {
        VirtualMachineInstance vmi = new VirtualMachineInstance();
        ObjectMeta template = vm.getSpec().template.metadata;
        Map<String, String> annotations = new LinkedHashMap<>(template == null || template.getAnnotations() == null ? Map.of()
                : template.getAnnotations());
        if (BackupHooks.skipped(vm.getMetadata().getAnnotations())) {
            // on the VM or its VMI, KubeVirt leaves the launcher's backup hooks off
            annotations.put(BackupHooks.SKIP, "true");
        }
        Long generation = vm.getMetadata().getGeneration();
        annotations.put(dev.ferry.controllers.vmi.VmiDecision.VM_GENERATION, String.valueOf(generation == null ? 1 : generation));
        vmi.setMetadata(new ObjectMetaBuilder().withName(vm.getMetadata().getName()).withNamespace(vm.getMetadata().getNamespace())
                .withLabels(template == null ? null : template.getLabels())
                .withAnnotations(annotations)
                .withOwnerReferences(owner(vm)).build());
        vmi.setSpec(vm.getSpec().template.spec);
        return vmi;
    }

    static String printable(VirtualMachineInstance vmi) {
        if (deleting(vmi)) {
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
        return dev.ferry.controllers.runtime.Conditions.isTrue(status.conditions, "Paused") ? "Paused" : "Running";
    }

    /** The restore rewriting the VM, or null. */
    static String restoring(VirtualMachine vm) {
        return vm.getStatus() == null ? null : vm.getStatus().restoreInProgress;
    }

    private static VmStatus.StateChangeRequest firstRequest(VirtualMachine vm) {
        List<VmStatus.StateChangeRequest> requests = vm.getStatus() == null ? null : vm.getStatus().stateChangeRequests;
        return requests == null || requests.isEmpty() ? null : requests.get(0);
    }

    private static boolean deleting(VirtualMachineInstance vmi) {
        return vmi.getMetadata().getDeletionTimestamp() != null;
    }

    static boolean ownedBy(ObjectMeta meta, VirtualMachine vm) {
        return meta.getOwnerReferences() != null && meta.getOwnerReferences().stream()
                .anyMatch(o -> vm.getMetadata().getUid() != null && vm.getMetadata().getUid().equals(o.getUid()));
    }

    private static OwnerReference owner(VirtualMachine vm) {
        return new OwnerReferenceBuilder().withApiVersion("kubevirt.io/v1").withKind("VirtualMachine")
                .withName(vm.getMetadata().getName()).withUid(vm.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }
}
