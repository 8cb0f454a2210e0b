package dev.ferry.controllers.vmi.k8s;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.k8s.Apply;
import dev.ferry.controllers.vmi.LauncherPodBuilder;
import dev.ferry.controllers.vmi.VmSettings;
import dev.ferry.controllers.vmi.VmiDecision;
import dev.ferry.controllers.vmi.VmiObserved;
import dev.ferry.controllers.vmi.VmiPlan;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Reconciles one VMI: observe (VMI, launcher Pods, claims) → {@link VmiDecision} → apply → status when it changed. */
public final class VmiReconciler implements Reconciler {
    private final KubernetesClient client;
    private final Apply apply;
    private final VmiClaims claims;
    private final VmSettings settings;
    private final Clock clock;
    private final Supplier<String> suffixes;

    /** {@code suffixes}: the random suffix of each new launcher Pod's name. */
    public VmiReconciler(KubernetesClient client, VmSettings settings, Clock clock, Supplier<String> suffixes) {
        this.client = client;
        this.apply = new Apply(client);
        this.claims = new VmiClaims(client);
        this.settings = settings;
        this.clock = clock;
        this.suffixes = suffixes;
    }

    @Override
    public Duration reconcile(ObjectKey key) {
        // restored launcher Pods first: they may come back before any VMI does
        client.pods().inNamespace(key.namespace()).withLabel(LauncherPodBuilder.LABEL_VMI_NAME, key.name()).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null && LauncherPodBuilder.stray(p)).forEach(apply::delete);
        VirtualMachineInstance vmi = client.resources(VirtualMachineInstance.class).inNamespace(key.namespace())
                .withName(key.name()).get();
        if (vmi == null) {
            return null;
        }
        if (VmiDecision.orphaned(vmi)) {
            apply.delete(vmi);
            return null;
        }
        List<Pod> launchers = client.pods().inNamespace(key.namespace())
                .withLabel(LauncherPodBuilder.LABEL_CREATED_BY, vmi.getMetadata().getUid()).list().getItems();
        // claims matter only to a VMI that still needs its launcher
        boolean live = vmi.getMetadata().getDeletionTimestamp() == null && !VmiDecision.ended(vmi);
        VmiClaims.Found found = live ? claims.find(vmi) : new VmiClaims.Found(Map.of(), null);
        VmiPlan plan = VmiDecision.decide(new VmiObserved(vmi, launchers, found.claims(), found.waiting(), suffixes.get(),
                clock.instant()), settings);
        VirtualMachineInstance current = plan.addFinalizer() ? apply.addFinalizer(vmi, VmiDecision.FINALIZER) : vmi;
        plan.deletePods().forEach(apply::delete);
        if (plan.createPod() != null) {
            apply.create(plan.createPod());
        }
        if (plan.transition() != null && VmiDecision.changes(current.getStatus(), plan.transition())) {
            apply.editStatus(current, fresh -> {
                fresh.setStatus(VmiDecision.apply(fresh.getStatus(), plan.transition(), clock.instant()));
                return fresh;
            });
        }
        if (plan.removeFinalizer()) {
            apply.removeFinalizer(current, VmiDecision.FINALIZER);
        }
        return plan.requeueAfter();
    }
}
