package dev.ferry.controllers.migration.k8s;

import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstanceMigration;
import dev.ferry.controllers.migration.MigrationDecision;
import dev.ferry.controllers.migration.MigrationObserved;
import dev.ferry.controllers.migration.MigrationPlan;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.k8s.Apply;
import dev.ferry.controllers.vmi.LauncherPodBuilder;
import dev.ferry.controllers.vmi.VmSettings;
import dev.ferry.controllers.vmi.k8s.VmiClaims;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Reconciles one migration: observe (migration, VMI, launcher Pods) → {@link MigrationDecision} → apply. */
public final class MigrationReconciler implements Reconciler {
    private final KubernetesClient client;
    private final Apply apply;
    private final VmiClaims claims;
    private final VmSettings settings;
    private final Clock clock;
    private final Supplier<String> suffixes;

    public MigrationReconciler(KubernetesClient client, VmSettings settings, Clock clock, Supplier<String> suffixes) {
        this.client = client;
        this.apply = new Apply(client);
        this.claims = new VmiClaims(client);
        this.settings = settings;
        this.clock = clock;
        this.suffixes = suffixes;
    }

    @Override
    public Duration reconcile(ObjectKey key) {
        VirtualMachineInstanceMigration m = client.resources(VirtualMachineInstanceMigration.class).inNamespace(key.namespace())
                .withName(key.name()).get();
        if (m == null) {
            return null;
        }
        MigrationObserved observed = observe(m);
        MigrationPlan plan = MigrationDecision.decide(observed, settings);
        VirtualMachineInstanceMigration current = plan.addFinalizer() ? apply.addFinalizer(m, MigrationDecision.FINALIZER) : m;
        if (plan.createTarget() != null) {
            apply.create(plan.createTarget());
        }
        if (observed.vmi() != null && (plan.startState() != null || plan.edit() != null)) {
            editMigrationState(observed.vmi(), m.getMetadata().getUid(), plan);
        }
        plan.deletePods().forEach(apply::delete);
        if (plan.phase() != null && MigrationDecision.changes(current.getStatus(), plan.phase())) {
            apply.editStatus(current, fresh -> {
                fresh.setStatus(MigrationDecision.apply(fresh.getStatus(), plan.phase(), clock.instant()));
                return fresh;
            });
        }
        if (plan.removeFinalizer()) {
            apply.removeFinalizer(current, MigrationDecision.FINALIZER);
        }
        return plan.requeueAfter();
    }

    private MigrationObserved observe(VirtualMachineInstanceMigration m) {
        String namespace = m.getMetadata().getNamespace();
        VirtualMachineInstance vmi = m.getSpec() == null || m.getSpec().vmiName == null ? null
                : client.resources(VirtualMachineInstance.class).inNamespace(namespace).withName(m.getSpec().vmiName).get();
        List<Pod> targets = client.pods().inNamespace(namespace).withLabel(LauncherPodBuilder.LABEL_MIGRATION, m.getMetadata().getUid())
                .list().getItems();
        boolean pending = VirtualMachineInstanceMigration.PENDING.equals(MigrationDecision.phase(m)) && vmi != null;
        VmiClaims.Found found = pending ? claims.find(vmi) : new VmiClaims.Found(Map.of(), null);
        MigrationObserved partial = new MigrationObserved(m, vmi, targets, null, found.claims(), found.waiting(), suffixes.get(),
                clock.instant());
        String sourcePod = partial.state() == null ? null : partial.state().sourcePod;
        Pod source = sourcePod == null ? null : client.pods().inNamespace(namespace).withName(sourcePod).get();
        return new MigrationObserved(m, vmi, targets, source, found.claims(), found.waiting(), partial.podSuffix(), partial.now());
    }

    /** The VMI's migration state: set when the migration starts, else edited only while it is still this migration's. */
    private void editMigrationState(VirtualMachineInstance vmi, String uid, MigrationPlan plan) {
        apply.editStatus(vmi, fresh -> {
            if (plan.startState() != null) {
                fresh.getStatus().migrationState = plan.startState();
            } else if (fresh.getStatus() != null && fresh.getStatus().migrationState != null
                    && uid.equals(fresh.getStatus().migrationState.migrationUid)) {
                plan.edit().applyTo(fresh.getStatus().migrationState);
            }
            return fresh;
        });
    }
}
