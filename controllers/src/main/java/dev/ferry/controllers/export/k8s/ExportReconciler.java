package dev.ferry.controllers.export.k8s;

import dev.ferry.api.export.v1beta1.VirtualMachineExport;
import dev.ferry.api.kubevirt.v1.VirtualMachine;
import dev.ferry.api.kubevirt.v1.VirtualMachineInstance;
import dev.ferry.api.snapshot.v1beta1.SnapshotCondition;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshot;
import dev.ferry.api.snapshot.v1beta1.VirtualMachineSnapshotContent;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.export.ExportDecision;
import dev.ferry.controllers.export.ExportObserved;
import dev.ferry.controllers.export.ExportPlan;
import dev.ferry.controllers.runtime.Certificates;
import dev.ferry.controllers.runtime.Conditions;
import dev.ferry.controllers.runtime.ObjectKey;
import dev.ferry.controllers.runtime.Reconciler;
import dev.ferry.controllers.runtime.k8s.Apply;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Reconciles one VirtualMachineExport: observe (source, what it made) → {@link ExportDecision} → apply → status when it changed. */
public final class ExportReconciler implements Reconciler {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final KubernetesClient client;
    private final Apply apply;
    private final WorkerSettings settings;
    private final Clock clock;

    public ExportReconciler(KubernetesClient client, WorkerSettings settings, Clock clock) {
        this.client = client;
        this.apply = new Apply(client);
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Duration reconcile(ObjectKey key) {
        VirtualMachineExport export = client.resources(VirtualMachineExport.class).inNamespace(key.namespace()).withName(key.name()).get();
        if (export == null) {
            return null;
        }
        String ns = key.namespace();
        VirtualMachine vm = null;
        boolean running = false;
        VirtualMachineSnapshot snapshot = null;
        VirtualMachineSnapshotContent content = null;
        var source = export.getSpec().source;
        if (source != null && "VirtualMachine".equals(source.kind) && source.name != null) {
            vm = client.resources(VirtualMachine.class).inNamespace(ns).withName(source.name).get();
            running = client.resources(VirtualMachineInstance.class).inNamespace(ns).withName(source.name).get() != null;
        } else if (source != null && "VirtualMachineSnapshot".equals(source.kind) && source.name != null) {
            snapshot = client.resources(VirtualMachineSnapshot.class).inNamespace(ns).withName(source.name).get();
            String contentName = snapshot == null || snapshot.getStatus() == null ? null : snapshot.getStatus().virtualMachineSnapshotContentName;
            content = contentName == null ? null
                    : client.resources(VirtualMachineSnapshotContent.class).inNamespace(ns).withName(contentName).get();
        }
        Map<String, PersistentVolumeClaim> claims = client.persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), Function.identity()));
        Instant now = clock.instant();
        ExportPlan plan = ExportDecision.decide(new ExportObserved(export, vm, running, snapshot, content, claims,
                secret(ns, ExportDecision.tokenSecret(export)), secret(ns, ExportDecision.tlsSecret(export)),
                secret(ns, ExportDecision.manifestsSecret(export)),
                client.pods().inNamespace(ns).withName(ExportDecision.serviceName(export)).get(),
                client.services().inNamespace(ns).withName(ExportDecision.serviceName(export)).get(), now,
                HexFormat.of().formatHex(token())), settings);
        VirtualMachineExport current = plan.addFinalizer() ? apply.addFinalizer(export, ExportDecision.FINALIZER) : export;
        plan.create().forEach(apply::create);
        if (plan.issueCertificate()) {
            apply.create(certificate(current, now));
        }
        plan.delete().forEach(apply::delete);
        if (plan.deleteExport()) {
            apply.delete(current);
        }
        if (plan.removeFinalizer()) {
            apply.removeFinalizer(current, ExportDecision.FINALIZER);
        }
        if (plan.status() != null) {
            VirtualMachineExport.Status wanted = plan.status();
            List<SnapshotCondition> previous = current.getStatus() == null ? List.of() : current.getStatus().conditions;
            wanted.conditions = Conditions.stamp(wanted.conditions, previous, now);
            if (!Serialization.asJson(wanted).equals(current.getStatus() == null ? "" : Serialization.asJson(current.getStatus()))) {
                apply.editStatus(current, fresh -> {
                    fresh.setStatus(wanted);
                    return fresh;
                });
            }
        }
        return plan.requeueAfter();
    }

    private static byte[] token() {
        byte[] token = new byte[24];
        RANDOM.nextBytes(token);
        return token;
    }

    private Secret secret(String namespace, String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    /** The server's certificate (for the Service's names, and loopback where a node shares it), signed by a CA of its own. */
    private static HasMetadata certificate(VirtualMachineExport export, Instant now) {
        String service = ExportDecision.serviceName(export);
        String ns = export.getMetadata().getNamespace();
        Duration validity = Duration.ofDays(7);
        Certificates.Issued ca = Certificates.authority("export.kubevirt.io " + ns + "/" + export.getMetadata().getName(), now, validity);
        Certificates.Issued server = Certificates.issue(ca, service + "." + ns + ".svc", Certificates.Use.SERVER,
                List.of(service, service + "." + ns, service + "." + ns + ".svc", service + "." + ns + ".svc.cluster.local",
                        "127.0.0.1", "localhost"), now, validity);
        return new SecretBuilder().withMetadata(new ObjectMetaBuilder().withName(ExportDecision.tlsSecret(export)).withNamespace(ns)
                        .withLabels(Map.of(ExportDecision.LABEL_EXPORT, export.getMetadata().getName()))
                        .withOwnerReferences(ExportDecision.owner(export)).build())
                .withType("kubernetes.io/tls")
                .withStringData(Map.of("tls.crt", Certificates.pem(server.certificate()), "tls.key", Certificates.pem(server.key()),
                        "ca.crt", Certificates.pem(ca.certificate())))
                .build();
    }
}
