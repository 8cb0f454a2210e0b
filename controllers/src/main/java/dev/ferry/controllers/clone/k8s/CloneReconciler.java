package dev.ferry.controllers.clone.k8s;

import dev.ferry.api.cdi.v1beta1.DataVolume;
import dev.ferry.api.cdi.v1beta1.DataVolumeSource;
import dev.ferry.api.cdi.v1beta1.Phases;
import dev.ferry.api.volumesnapshot.v1.VolumeSnapshot;
import dev.ferry.controllers.clone.CloneDecision;
import dev.ferry.controllers.clone.CloneNames;
import dev.ferry.controllers.clone.CloneObserved;
import dev.ferry.controllers.clone.ClonePlan;
import dev.ferry.controllers.clone.CloneTokens;
import dev.ferry.controllers.datavolume.Observed;
import dev.ferry.controllers.datavolume.WorkerSettings;
import dev.ferry.controllers.datavolume.k8s.DataVolumeStatusWriter;
import dev.ferry.controllers.runtime.WorkerProgress;
import dev.ferry.controllers.runtime.k8s.Apply;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Reconciles a DataVolume whose source is a claim or a snapshot: check the clone token (across
 * namespaces) → observe ({@link CloneObserver}) → {@link CloneDecision} (pure) → apply → status.
 * The temporary objects live in the source's namespace, labelled with the DataVolume's uid; a
 * finished or deleted clone removes them and the certificates it issued.
 */
public final class CloneReconciler {
    private static final Logger LOG = Logger.getLogger(CloneReconciler.class.getName());
    private final KubernetesClient client;
    private final Apply apply;
    private final WorkerSettings settings;
    private final CloneAuthority authority;
    private final CloneObserver observer;
    private final DataVolumeStatusWriter status;

    public CloneReconciler(KubernetesClient client, WorkerSettings settings, CloneAuthority authority, WorkerProgress progress,
            DataVolumeStatusWriter status, Clock clock) {
        this.client = client;
        this.apply = new Apply(client);
        this.settings = settings;
        this.authority = authority;
        this.observer = new CloneObserver(client, progress, clock);
        this.status = status;
    }

    /** Whether {@code source} makes the DataVolume a clone. */
    public static boolean clones(DataVolumeSource source) {
        return source != null && (source.pvc != null || source.snapshot != null);
    }

    public Duration reconcile(Observed dataVolume) {
        DataVolume dv = dataVolume.dv();
        String unauthorized = null;
        if (!sameNamespace(dv, dataVolume.source())) {
            unauthorized = authorize(dv, dataVolume.source());
            if (unauthorized == null && annotation(dv, CloneNames.ANN_EXTENDED_TOKEN) == null) {
                dv = extend(dv, dataVolume.source());
                dataVolume = new Observed(dv, dataVolume.source(), dataVolume.sourceProblem(), dataVolume.pvc(), dataVolume.worker(),
                        dataVolume.storageClass(), dataVolume.bindingMode(), dataVolume.consumerPresent(), dataVolume.progress(),
                        dataVolume.storage(), dataVolume.now(), dataVolume.claimProblem());
            }
        }
        CloneObserved observed = observer.observe(dataVolume, unauthorized);
        ClonePlan plan = CloneDecision.decide(observed, settings);
        dv = apply(dv, observed, plan);
        status.write(dv, plan.status(), plan.event());
        if (Phases.SUCCEEDED.equals(plan.status().phase) || Phases.FAILED.equals(plan.status().phase)) {
            deleteCertificates(dv, observed.source().namespace());
        }
        return plan.requeueAfter();
    }

    private DataVolume apply(DataVolume dv, CloneObserved observed, ClonePlan plan) {
        DataVolume current = dv;
        if (!plan.annotate().isEmpty()) {
            current = apply.edit(dv, latest -> {
                Map<String, String> annotations = new LinkedHashMap<>(latest.getMetadata().getAnnotations() == null ? Map.of()
                        : latest.getMetadata().getAnnotations());
                annotations.putAll(plan.annotate());
                latest.getMetadata().setAnnotations(annotations);
                return latest;
            });
        }
        if (plan.tls() != null) {
            authority.issue(plan.tls(), CloneNames.labels(dv));
        }
        plan.create().forEach(apply::create);
        plan.delete().forEach(apply::delete);
        if (plan.rebind() != null) {
            rebind(plan.rebind());
        }
        return current;
    }

    /** Moves a volume to another claim: its claim reference names the DataVolume's claim (the binder then binds them). */
    private void rebind(ClonePlan.Rebind move) {
        client.persistentVolumes().withName(move.pv()).edit(pv -> {
            pv.getSpec().setClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim").withApiVersion("v1")
                    .withNamespace(move.namespace()).withName(move.claim()).withUid(move.uid()).build());
            return pv;
        });
        LOG.info(() -> "PersistentVolume " + move.pv() + " rebound to " + move.namespace() + "/" + move.claim());
    }

    /**
     * Why the DataVolume may not read its source in another namespace (no valid token), or null.
     * The webhook admits creates only, so an admission token counts only on a DataVolume whose spec
     * never changed (generation 1): a source edited in later was never reviewed.
     */
    private String authorize(DataVolume dv, DataVolumeSource source) {
        String extended = annotation(dv, CloneNames.ANN_EXTENDED_TOKEN);
        CloneTokens.Grant wanted = grant(dv, source, extended != null ? dv.getMetadata().getUid() : null);
        Long generation = dv.getMetadata().getGeneration();
        String problem = extended == null && generation != null && generation > 1
                ? "the DataVolume's spec changed after it was admitted (generation " + generation + "), so its clone token was not"
                        + " swapped; recreate the DataVolume"
                : authority.tokens().problem(extended != null ? extended : annotation(dv, CloneNames.ANN_TOKEN), wanted);
        return problem == null ? null : "cloning " + wanted.namespace() + "/" + wanted.name() + " across namespaces is not authorized: "
                + problem + " (the admission webhook adds the token when the creator may read the source namespace)";
    }

    /** Swaps the short-lived admission token for a long-lived one bound to this DataVolume, as CDI's controller does. */
    private DataVolume extend(DataVolume dv, DataVolumeSource source) {
        String token = authority.tokens().extended(grant(dv, source, dv.getMetadata().getUid()));
        return apply.edit(dv, latest -> {
            Map<String, String> annotations = new LinkedHashMap<>(latest.getMetadata().getAnnotations());
            annotations.put(CloneNames.ANN_EXTENDED_TOKEN, token);
            latest.getMetadata().setAnnotations(annotations);
            return latest;
        });
    }

    /** A deleted DataVolume: every temporary object its clone made, in any namespace, and its certificates. */
    public void cleanUp(DataVolume dv) {
        String uid = dv.getMetadata().getUid();
        List<HasMetadata> leftovers = new java.util.ArrayList<>();
        leftovers.addAll(client.pods().inAnyNamespace().withLabel(CloneNames.LABEL_OWNED_BY, uid).list().getItems());
        leftovers.addAll(client.persistentVolumeClaims().inAnyNamespace().withLabel(CloneNames.LABEL_OWNED_BY, uid).list().getItems());
        leftovers.addAll(client.resources(VolumeSnapshot.class).inAnyNamespace().withLabel(CloneNames.LABEL_OWNED_BY, uid).list()
                .getItems());
        leftovers.addAll(client.secrets().inAnyNamespace().withLabel(CloneNames.LABEL_OWNED_BY, uid).list().getItems());
        leftovers.forEach(apply::delete);
    }

    private void deleteCertificates(DataVolume dv, String sourceNamespace) {
        client.secrets().inNamespace(dv.getMetadata().getNamespace()).withName(CloneNames.serverSecret(dv)).delete();
        client.secrets().inNamespace(sourceNamespace).withName(CloneNames.clientSecret(dv)).delete();
    }

    private static CloneTokens.Grant grant(DataVolume dv, DataVolumeSource source, String uid) {
        boolean snapshot = source.pvc == null;
        DataVolumeSource.ObjectRef ref = snapshot ? source.snapshot : source.pvc;
        return new CloneTokens.Grant(snapshot ? "volumesnapshots" : "persistentvolumeclaims", namespace(dv, ref), ref.name,
                dv.getMetadata().getNamespace(), dv.getMetadata().getName(), uid);
    }

    private static boolean sameNamespace(DataVolume dv, DataVolumeSource source) {
        return namespace(dv, source.pvc != null ? source.pvc : source.snapshot).equals(dv.getMetadata().getNamespace());
    }

    private static String namespace(DataVolume dv, DataVolumeSource.ObjectRef ref) {
        return ref.namespace == null || ref.namespace.isEmpty() ? dv.getMetadata().getNamespace() : ref.namespace;
    }

    private static String annotation(DataVolume dv, String key) {
        return dv.getMetadata().getAnnotations() == null ? null : dv.getMetadata().getAnnotations().get(key);
    }
}
